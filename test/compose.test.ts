// The Docker Compose stack (docker-compose.yml) and its runner (scripts/compose.ts). No Docker engine
// is needed: the compose file is checked as data, and the runner against a fake `docker` command.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ENV_DEFAULTS, type EnvName } from '../shared/config.ts';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../temporal/dev/server-settings.ts';
import { serverEnv } from '../temporal/self-hosted/server.ts';
import { COMPOSE_VERSIONS } from '../temporal/self-hosted/versions.ts';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/workflows/search-attributes.ts';
import { localCli, TEMPORAL_TAG, temporal } from './support/temporal.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE_TEXT = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
  restart?: string;
}
interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(COMPOSE_TEXT) as ComposeFile;
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};
const ONE_SHOTS = ['temporal-schema-setup', 'temporal-create-namespace'];

describe('docker-compose.yml', () => {
  test('has a stable project name and exactly the expected services', () => {
    expect(compose.name).toBe('temporal-multi-server');
    expect(Object.keys(services).sort()).toEqual(
      ['postgres', 'temporal', 'temporal-create-namespace', 'temporal-schema-setup', 'temporal-ui', 'prometheus', 'jaeger'].sort(),
    );
  });

  test('pins every image to an exact version, never latest, and not the deprecated auto-setup image', () => {
    for (const [name, { image }] of Object.entries(services)) {
      const match = /^([\w./-]+):([\w.-]+)$/.exec(image ?? '');
      expect(match, `${name} image "${image}"`).not.toBeNull();
      const [, repository, tag] = match!;
      expect(tag, `${name} tag`).not.toBe('latest');
      // At least major.minor (PostgreSQL's full version); Temporal's and Jaeger's images use major.minor.patch, Prometheus's vmajor.minor.patch.
      const exact = /^(temporalio|jaegertracing)\//.test(repository!) ? /^\d+\.\d+\.\d+$/ : repository!.startsWith('prom/') ? /^v\d+\.\d+\.\d+$/ : /^\d+\.\d+$/;
      expect(tag, `${name} tag`).toMatch(exact);
      expect(repository, name).not.toBe('temporalio/auto-setup');
    }
    expect(COMPOSE_TEXT).not.toMatch(/^\s*image:.*auto-setup/m);
  });

  test('pins the versions `npm run temporal:postgres` builds, and gives the server the variables it gives the native one', () => {
    expect({
      server: service('temporal').image,
      ui: service('temporal-ui').image,
      postgres: service('postgres').image,
    }).toEqual({
      server: `temporalio/server:${COMPOSE_VERSIONS.temporalServer}`,
      ui: `temporalio/ui:${COMPOSE_VERSIONS.temporalUi}`,
      postgres: `postgres:${COMPOSE_VERSIONS.postgres}`,
    });
    // The same names; the values differ only where a container and this machine must (host, bind address, paths).
    const native = serverEnv({ host: '127.0.0.1', port: 5432, user: 'temporal', password: 'temporal', db: 'temporal' });
    expect(Object.keys(service('temporal').environment!).sort()).toEqual(Object.keys(native).sort());
    expect(native.DYNAMIC_CONFIG_FILE_PATH).toBe(
      resolve(ROOT, 'deployment/dynamicconfig', basename(service('temporal').environment!.DYNAMIC_CONFIG_FILE_PATH!)),
    );
  });

  test('keeps the server and admin-tools images on the same Temporal version', () => {
    const version = (name: string) => service(name).image!.split(':')[1];
    expect(service('temporal').image).toMatch(/^temporalio\/server:/);
    for (const oneShot of ONE_SHOTS) {
      expect(service(oneShot).image).toMatch(/^temporalio\/admin-tools:/);
      expect(version(oneShot)).toBe(version('temporal'));
    }
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  test('publishes exactly Temporal 7233, the Web UI on 7070, PostgreSQL 5432, Prometheus 9090 and Jaeger 16686 and 4318, on 127.0.0.1 only', () => {
    const published = Object.fromEntries(
      Object.entries(services)
        .filter(([, s]) => s.ports)
        .map(([name, s]) => [name, s.ports]),
    );
    expect(published).toEqual({
      postgres: ['127.0.0.1:5432:5432'],
      temporal: ['127.0.0.1:7233:7233'],
      'temporal-ui': ['127.0.0.1:7070:8080'],
      prometheus: ['127.0.0.1:9090:9090'],
      jaeger: ['127.0.0.1:16686:16686', '127.0.0.1:4318:4318'],
    });
  });

  test('health-checks PostgreSQL with pg_isready over TCP and Temporal on its frontend port', () => {
    const pg = service('postgres').healthcheck?.test ?? [];
    expect(pg[0]).toBe('CMD-SHELL');
    expect(pg[1]).toMatch(/^pg_isready -h 127\.0\.0\.1 /);
    expect(service('temporal').healthcheck?.test).toEqual(['CMD', 'nc', '-z', '127.0.0.1', '7233']);
  });

  test('chains start-up so `up --wait` returns only when Temporal answers and the namespace exists', () => {
    const dependencies = Object.fromEntries(
      Object.entries(services).map(([name, s]) => [
        name,
        Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([dep, { condition }]) => [dep, condition])),
      ]),
    );
    expect(dependencies).toEqual({
      postgres: {},
      'temporal-schema-setup': { postgres: 'service_healthy' },
      temporal: { postgres: 'service_healthy', 'temporal-schema-setup': 'service_completed_successfully' },
      'temporal-create-namespace': { temporal: 'service_healthy' },
      'temporal-ui': { temporal: 'service_healthy', 'temporal-create-namespace': 'service_completed_successfully' },
      prometheus: {},
      jaeger: {},
    });
    // `up --wait` accepts a one-shot's exit only when another service waits for it to complete, and
    // a restart policy would rerun a failed one-shot behind that wait's back.
    for (const oneShot of ONE_SHOTS) expect(service(oneShot).restart, oneShot).toBeUndefined();
  });

  test('keeps PostgreSQL data in a named volume', () => {
    expect(compose.volumes).toHaveProperty('postgres-data');
    expect(service('postgres').volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
  });

  test('takes the PostgreSQL credentials from .env with the documented defaults, the same everywhere', () => {
    const fromEnv = { user: '${POSTGRES_USER:-temporal}', password: '${POSTGRES_PASSWORD:-temporal}', db: '${POSTGRES_DB:-temporal}' };
    expect(service('postgres').environment).toEqual({ POSTGRES_USER: fromEnv.user, POSTGRES_PASSWORD: fromEnv.password, POSTGRES_DB: fromEnv.db });
    expect(service('temporal').environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgres',
      POSTGRES_USER: fromEnv.user,
      POSTGRES_PWD: fromEnv.password,
      DBNAME: fromEnv.db,
      VISIBILITY_DBNAME: `${fromEnv.db}_visibility`,
    });
    expect(service('temporal-schema-setup').environment).toEqual({
      SQL_HOST: 'postgres',
      SQL_PORT: '5432',
      SQL_USER: fromEnv.user,
      SQL_PASSWORD: fromEnv.password,
      DBNAME: fromEnv.db,
      VISIBILITY_DBNAME: `${fromEnv.db}_visibility`,
      SCHEMA_DIR: '/etc/temporal/schema/postgresql/v12',
    });

    // Every variable compose itself substitutes (`$${...}` is an escaped, literal `$`).
    const interpolated = [...COMPOSE_TEXT.matchAll(/(?<!\$)\$\{([A-Z_]+)([^}]*)\}/g)].map(([, name, rest]) => `${name}${rest}`);
    expect(new Set(interpolated)).toEqual(
      new Set(['POSTGRES_USER:-temporal', 'POSTGRES_PASSWORD:-temporal', 'POSTGRES_DB:-temporal', 'CODEC_SERVER_PORT:-8888', 'SERVICE_TOKEN:-']),
    );
    // Each with the default the project's own configuration has.
    for (const entry of interpolated) {
      const [name, fallback] = entry.split(':-') as [EnvName, string];
      expect({ name, fallback }).toEqual({ name, fallback: ENV_DEFAULTS[name] });
    }

    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const postgresLines = example.split('\n').filter((line) => line.startsWith('POSTGRES_'));
    expect(postgresLines).toEqual([
      'POSTGRES_HOST=127.0.0.1',
      'POSTGRES_PORT=5432',
      'POSTGRES_USER=temporal',
      'POSTGRES_PASSWORD=temporal',
      'POSTGRES_DB=temporal',
    ]);
    expect([ENV_DEFAULTS.POSTGRES_USER, ENV_DEFAULTS.POSTGRES_PASSWORD, ENV_DEFAULTS.POSTGRES_DB]).toEqual(['temporal', 'temporal', 'temporal']);
  });

  test('mounts only files that exist in the repo, including the dynamic config the server is pointed at', () => {
    const binds = Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => v.startsWith('.')));
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) expect(existsSync(resolve(ROOT, bind.split(':')[0]!)), bind).toBe(true);

    const dynamicConfig = service('temporal').environment?.DYNAMIC_CONFIG_FILE_PATH ?? '';
    const mount = service('temporal').volumes?.find((v) => dynamicConfig.startsWith(`${v.split(':')[1]}/`));
    expect(mount, `a mount containing ${dynamicConfig}`).toBeDefined();
    const [hostDir, containerDir] = mount!.split(':') as [string, string];
    const hostFile = resolve(ROOT, hostDir, dynamicConfig.slice(containerDir.length + 1));
    expect(parse(readFileSync(hostFile, 'utf8'))).toHaveProperty('limit.maxIDLength');
  });

  test("runs with the dev server's dynamic config settings, the same values", () => {
    const file = parse(readFileSync(resolve(ROOT, 'deployment/dynamicconfig/development-sql.yaml'), 'utf8')) as Record<string, { value: unknown }[]>;
    for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) expect(file[key]?.[0]?.value, key).toEqual(value);
  });

  test.skipIf(process.platform === 'win32')(
    'runs the one-shot steps from deployment/temporal/, valid shell, the inline part fully escaped from compose',
    () => {
      for (const oneShot of ONE_SHOTS) {
        const { entrypoint = [], volumes = [] } = service(oneShot);
        expect(volumes, oneShot).toEqual(['./deployment/temporal:/deployment/temporal:ro']);
        const scripts = [...entrypoint.join(' ').matchAll(/\/deployment\/temporal\/([\w-]+\.sh)/g)].map((m) => join(ROOT, 'deployment/temporal', m[1]!));
        expect(scripts, oneShot).toHaveLength(1);
        const inline = entrypoint[1] === '-euc' ? entrypoint[2]! : '';
        // A lone `$` would be substituted by compose from .env instead of reaching the shell.
        expect(inline.replaceAll('$$', ''), oneShot).not.toContain('$');
        for (const [what, args] of [
          ['inline', ['-n', '-c', inline.replaceAll('$$', '$')]],
          ['script', ['-n', scripts[0]!]],
        ] as const) {
          const syntax = spawnSync('/bin/sh', args, { encoding: 'utf8' });
          expect({ oneShot, what, stderr: syntax.stderr, status: syntax.status }).toEqual({ oneShot, what, stderr: '', status: 0 });
        }
      }
    },
  );
});

describe('docker-compose.yml: the namespace step registers the search attributes', () => {
  const step = () => service('temporal-create-namespace');
  const NAMES = SEARCH_ATTRIBUTE_KEYS.map((k) => k.name);
  let dir: string;
  let log: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'compose-namespace-test-'));
    log = join(dir, 'temporal-calls.log');
    // A stand-in `temporal`: records its arguments, and fails with FAKE_TEMPORAL_MESSAGE when they match FAKE_TEMPORAL_FAIL.
    writeFileSync(
      join(dir, 'temporal'),
      '#!/bin/sh\nprintf \'%s\\n\' "$*" >> "$FAKE_TEMPORAL_LOG"\ncase "$*" in\n  $FAKE_TEMPORAL_FAIL) echo "$FAKE_TEMPORAL_MESSAGE" >&2; exit 1;;\nesac\nexit 0\n',
    );
    chmodSync(join(dir, 'temporal'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the step's script as its container would, with `temporal` found first in `binDir`. */
  function runStep(binDir: string, env: Record<string, string> = {}) {
    rmSync(log, { force: true });
    // The container's mount of deployment/temporal/ is the repository's folder here.
    const [shell, flags, script] = step().entrypoint!;
    const result = spawnSync(shell!, [flags!, script!.replaceAll('$$', '$').replaceAll('/deployment/temporal/', `${ROOT}deployment/temporal/`)], {
      encoding: 'utf8',
      timeout: 120_000,
      // HOME: the real CLI reads its config file under it.
      env: {
        ...step().environment,
        PATH: `${binDir}:${process.env.PATH}`,
        HOME: process.env.HOME ?? tmpdir(),
        FAKE_TEMPORAL_LOG: log,
        FAKE_TEMPORAL_FAIL: '',
        ...env,
      },
    });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  }

  test('names exactly the SEARCH_ATTRIBUTE_KEYS, which are all Keywords, as the script registers them', () => {
    expect(step().environment?.SEARCH_ATTRIBUTES?.split(' ')).toEqual(NAMES);
    for (const key of SEARCH_ATTRIBUTE_KEYS) expect(key.type, key.name).toBe('KEYWORD');
    expect(readFileSync(join(ROOT, 'deployment/temporal/create-namespace.sh'), 'utf8')).toContain('--type Keyword');
  });

  test.skipIf(process.platform === 'win32')('registers each one as Keyword on the namespace, once the namespace is served', () => {
    const result = runStep(dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const creates = result.calls.filter((c) => c.startsWith('operator search-attribute create'));
    expect(creates).toEqual(
      NAMES.map((name) => expect.stringMatching(new RegExp(`^operator search-attribute create -n default --address \\S+:7233 --name ${name} --type Keyword$`))),
    );
    // After the check that the namespace answers.
    expect(result.calls.findIndex((c) => c.startsWith('workflow list'))).toBeLessThan(result.calls.indexOf(creates[0]!));
    expect(result.stdout).toContain('with search attributes DataCategory CurrentStep ReviewState');
  });

  test.skipIf(process.platform === 'win32')('an "already exists" refusal is success; the same name with another type fails the step', () => {
    const exists = runStep(dir, { FAKE_TEMPORAL_FAIL: '*--name CurrentStep*', FAKE_TEMPORAL_MESSAGE: 'Search attribute CurrentStep already exists' });
    expect(exists.status).toBe(0);
    expect(exists.calls.filter((c) => c.startsWith('operator search-attribute create'))).toHaveLength(3);

    const clash = runStep(dir, {
      FAKE_TEMPORAL_FAIL: '*--name CurrentStep*',
      FAKE_TEMPORAL_MESSAGE: 'search attribute CurrentStep already exists and has different type Text',
    });
    expect(clash.status).toBe(1);
    expect(clash.stderr).toContain('Search attribute CurrentStep exists with another type:');
    expect(clash.stdout).not.toContain('is ready');

    const down = runStep(dir, { FAKE_TEMPORAL_FAIL: '*search-attribute create*', FAKE_TEMPORAL_MESSAGE: 'connection refused' });
    expect(down.status).toBe(1);
    expect(down.stderr).toContain('Could not register search attribute DataCategory:\nconnection refused');
  });

  test.skipIf(process.platform === 'win32' || !temporal.available || !localCli)(
    `${TEMPORAL_TAG} with the real CLI on a real server: a new namespace gets all three as Keyword, and running the step again succeeds`,
    { timeout: 120_000 },
    () => {
      if (!temporal.available) return;
      // The script dials the compose host "temporal"; this `temporal` sends it to the suite's server instead.
      const real = mkdtempSync(join(dir, 'real-'));
      writeFileSync(
        join(real, 'temporal'),
        `#!/bin/sh\nprintf '%s\\n' "$*" >> "$FAKE_TEMPORAL_LOG"\nexec ${JSON.stringify(localCli!.path)} "$@" --address ${temporal.address}\n`,
      );
      chmodSync(join(real, 'temporal'), 0o755);
      const namespace = `compose-test-${Date.now()}`;
      for (const attempt of ['first', 'second']) {
        const result = runStep(real, { NAMESPACE: namespace });
        expect(result.stderr, attempt).toBe('');
        expect(result.status, attempt).toBe(0);
      }
      const list = spawnSync(localCli!.path, ['operator', 'search-attribute', 'list', '-n', namespace, '--address', temporal.address, '-o', 'json'], {
        encoding: 'utf8',
      });
      const { customAttributes } = JSON.parse(list.stdout) as { customAttributes: Record<string, string> };
      expect(customAttributes).toEqual(Object.fromEntries(NAMES.map((name) => [name, 'INDEXED_VALUE_TYPE_KEYWORD'])));
    },
  );
});

describe('scripts/compose.ts', () => {
  let dir: string;
  let log: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'compose-test-'));
    log = join(dir, 'docker-calls.log');
    // A stand-in `docker`: records its arguments, fails with FAKE_DOCKER_EXIT when they match FAKE_DOCKER_FAIL.
    const fake = join(dir, 'docker');
    writeFileSync(
      fake,
      '#!/bin/sh\nprintf \'%s\\n\' "$*" >> "$FAKE_DOCKER_LOG"\ncase "$*" in\n  $FAKE_DOCKER_FAIL) echo "fake docker failed: $*" >&2; exit "$FAKE_DOCKER_EXIT";;\nesac\nexit 0\n',
    );
    chmodSync(fake, 0o755);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the script with PATH holding nothing but `dir`, so only the fake docker (if any) is found. */
  function run(args: string[], env: Record<string, string> = {}, pathDir?: string) {
    rmSync(log, { force: true });
    const result = spawnSync(process.execPath, ['scripts/compose.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: pathDir ?? dir, FAKE_DOCKER_LOG: log, FAKE_DOCKER_FAIL: '', FAKE_DOCKER_EXIT: '1', ...env },
    });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  }

  test('without a subcommand, or with an unknown one, prints the usage and exits 2', () => {
    for (const args of [[], ['restart'], ['up', 'extra'], ['toString'], ['constructor']]) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^Usage: npm run temporal:start \| temporal:stop \| temporal:logs/);
      expect(result.stderr).toContain('up ');
      expect(result.calls).toEqual([]);
    }
  });

  test('rejects a bad POSTGRES_USER before touching Docker, naming the variable', () => {
    const result = run(['up'], { POSTGRES_USER: 'tem poral' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('POSTGRES_USER must not contain spaces');
    expect(result.calls).toEqual([]);
  });

  test.skipIf(process.platform === 'win32')('up without Docker on PATH explains it and points to npm run temporal:dev', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const result = run(['up'], {}, empty);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Cannot start Temporal with Docker Compose: there is no `docker` command on PATH');
    expect(result.stderr).toContain('npm run temporal:dev');
    expect(result.stdout).toBe('');
  });

  test.skipIf(process.platform === 'win32')('up without the Compose plugin says so and does not start anything', () => {
    const result = run(['up'], { FAKE_DOCKER_FAIL: 'compose version' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the Docker Compose plugin is missing');
    expect(result.stderr).toContain('fake docker failed: compose version');
    expect(result.stderr).toContain('npm run temporal:dev');
    expect(result.calls).toEqual(['compose version']);
  });

  test.skipIf(process.platform === 'win32')('up with the Docker engine down says so and does not start anything', () => {
    const result = run(['up'], { FAKE_DOCKER_FAIL: 'info*' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the Docker engine is not running or not reachable');
    expect(result.stderr).toContain('npm run temporal:dev');
    expect(result.calls).toEqual(['compose version', 'info --format {{.ServerVersion}}']);
  });

  test.skipIf(process.platform === 'win32')('up checks Docker, runs `docker compose up -d --wait` and says where everything is', () => {
    const result = run(['up']);
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(['compose version', 'info --format {{.ServerVersion}}', 'compose up -d --wait']);
    expect(result.stdout).toContain('localhost:7233');
    expect(result.stdout).toContain('http://localhost:7070');
    expect(result.stdout).toContain('http://localhost:16686');
    expect(result.stdout).toContain('127.0.0.1:5432');
    expect(result.stdout).toContain('http://localhost:9090');
    expect(result.stdout).toContain('npm run dev:all');
  });

  test.skipIf(process.platform === 'win32')('up passes on the exit code of a failed docker compose up, with a hint to read the logs', () => {
    const result = run(['up'], { FAKE_DOCKER_FAIL: 'compose up*', FAKE_DOCKER_EXIT: '17' });
    expect(result.status).toBe(17);
    expect(result.stderr).toContain('npm run temporal:logs');
    expect(result.stdout).not.toContain('Temporal is ready');
  });

  test.skipIf(process.platform === 'win32')('down runs `docker compose down` and tells how to delete the data too', () => {
    const result = run(['down']);
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(['compose version', 'info --format {{.ServerVersion}}', 'compose down']);
    expect(result.stdout).toContain('docker compose down -v');
  });

  test.skipIf(process.platform === 'win32')('logs follows `docker compose logs` and exits with its code', () => {
    const ok = run(['logs']);
    expect(ok.status).toBe(0);
    expect(ok.calls).toEqual(['compose version', 'info --format {{.ServerVersion}}', 'compose logs -f --tail=200']);
    const failed = run(['logs'], { FAKE_DOCKER_FAIL: 'compose logs*', FAKE_DOCKER_EXIT: '3' });
    expect(failed.status).toBe(3);
  });
});
