// The project's promises about itself: every npm script and entry point the README and docs/ name exists,
// .env.example, the config module and the configuration reference agree, and every link of the manual lands.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ENV_DEFAULTS, type EnvName, loadConfig } from '../shared/config.ts';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const readme = readFileSync(root('README.md'), 'utf8');
/** Every page of docs/, by its path from the project root. */
const docPages = readdirSync(root('docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
/** The README and the deeper pages it links to in docs/: the manual, as a whole. */
const manual = [readme, ...docPages.map((page) => readFileSync(root(page), 'utf8'))].join('\n');
const scripts = (JSON.parse(readFileSync(root('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** NAME=value lines of .env.example, commented out or not ("# NAME=value": shown with its default, left unset). */
function envExample(): Map<string, string> {
  const entries = readFileSync(root('.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^(# )?[A-Z_]+=/.test(line))
    .map((line) => line.replace(/^# /, '').split('=', 2) as [string, string]);
  return new Map(entries);
}

describe('npm scripts', () => {
  test('every script the project promises exists', () => {
    const promised = ['start', 'test', 'dev:all', 'dev:server-a', 'dev:server-b', 'dev:worker', 'dev:client'];
    promised.push('temporal:start', 'temporal:stop', 'temporal:logs', 'temporal:dev');
    promised.push('temporal', 'server-a', 'server-b', 'worker', 'client');
    expect(promised.filter((name) => !(name in scripts))).toEqual([]);
  });

  test('every `npm run X` and `npm start`/`npm test` in the README and docs/ is a script', () => {
    const named = [...manual.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    for (const m of manual.matchAll(/npm (start|test)\b/g)) named.push(m[1]!);
    expect(named.length).toBeGreaterThan(15);
    expect([...new Set(named)].filter((name) => !(name in scripts))).toEqual([]);
  });

  test('every file an npm script, the README or docs/ runs with node exists', () => {
    const files = [
      ...Object.values(scripts)
        .join(' ')
        .matchAll(/\b([\w-]+\/[\w./-]+\.ts)\b/g),
      ...manual.matchAll(/node ([\w-]+\/[\w./-]+\.ts)/g),
    ].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(8);
    expect([...new Set(files)].filter((file) => !existsSync(root(file)))).toEqual([]);
  });
});

describe('environment variables', () => {
  test('.env.example lists exactly the variables the config module reads, with the same defaults', () => {
    const example = envExample();
    expect([...example.keys()].sort()).toEqual(Object.keys(ENV_DEFAULTS).sort());
    for (const [name, value] of example) {
      const fallback = ENV_DEFAULTS[name as EnvName];
      // URL defaults are derived from the ports; the example shows them filled in.
      const expected = fallback.replace('<SERVER_A_PORT>', '3001').replace('<SERVER_B_PORT>', '3002');
      expect({ name, value }).toEqual({ name, value: expected });
    }
  });

  test('the config module really reads every variable of .env.example', () => {
    const custom: Record<EnvName, string> = {
      SERVER_A_PORT: '4001',
      SERVER_B_PORT: '4002',
      API_PORT: '4003',
      API_TOKENS_FILE: '/tmp/tokens.json',
      API_TOKENS: '[]',
      API_AUTH_FAILURES_PER_MINUTE: '5',
      API_STARTS_PER_MINUTE: '7',
      SERVER_A_URL: 'http://a.internal:9001',
      SERVER_B_URL: 'http://b.internal:9002',
      SERVER_A_DB: '/tmp/a.db',
      SERVER_B_DB: '/tmp/b.db',
      FAULT_AFTER_APPLY: '503',
      FAULT_RATE: '0.5',
      SERVICE_HOST: '0.0.0.0',
      SERVICE_TOKEN: 'a-long-shared-secret',
      WORKER_METRICS_PORT: '9500',
      WORKER_ROLE: 'server-b',
      THIRD_PARTY_LATENCY_MS: '5',
      THIRD_PARTY_FAILURE_RATE: '0.5',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'ns',
      TEMPORAL_TASK_QUEUE: 'q',
      TEMPORAL_UI_URL: 'http://ui.internal',
      TEMPORAL_CLI_PATH: '/opt/temporal',
      TEMPORAL_DEV_DB: '/tmp/dev.db',
      PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      CODEC_SERVER_PORT: '9999',
      CODEC_SERVER_AUTH: 'Bearer x',
      TRACES: 'console',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
      POSTGRES_HOST: 'h',
      POSTGRES_PORT: '6543',
      POSTGRES_USER: 'u',
      POSTGRES_PASSWORD: 'p',
      POSTGRES_DB: 'd',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
    };
    const defaults = JSON.stringify(loadConfig({}));
    for (const name of envExample().keys()) {
      const changed = JSON.stringify(loadConfig({ [name]: custom[name as EnvName] }));
      expect({ name, changed: changed !== defaults }).toEqual({ name, changed: true });
    }
  });

  test('the configuration reference documents every variable', () => {
    const reference = readFileSync(root('docs/configuration.md'), 'utf8');
    expect(Object.keys(ENV_DEFAULTS).filter((name) => !reference.includes(`\`${name}\``))).toEqual([]);
  });

  test('.env and the dev server state are git-ignored', () => {
    const ignored = readFileSync(root('.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('.env');
    expect(ignored).toContain('.temporal/');
  });
});

describe('the manual', () => {
  /** GitHub's anchor of each heading of a page (lower case, punctuation dropped, spaces to dashes). */
  const anchors = (text: string) =>
    new Set(
      [...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replaceAll(' ', '-'),
      ),
    );

  test('every relative link of the README and docs/ lands: on a file, and on a heading when it names one', () => {
    const broken: string[] = [];
    for (const page of ['README.md', ...docPages]) {
      const text = readFileSync(root(page), 'utf8');
      // Markdown links and images whose target is not a URL: a page, an image, a source file, or an anchor alone.
      for (const [, target, anchor] of text.matchAll(/\]\((?!https?:|mailto:)([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
        const file = target ? fileURLToPath(new URL(target, new URL(`../${page}`, import.meta.url))) : root(page);
        if (!existsSync(file)) broken.push(`${page} → ${target}`);
        else if (anchor && !anchors(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${page} → ${target}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('the README links every page of docs/, and each page opens by saying what it covers', () => {
    expect(docPages.filter((page) => !readme.includes(`](${page})`) && !readme.includes(`](${page}#`))).toEqual([]);
    // After the title, a paragraph of prose: not a heading, a list, a table or a code block.
    const noOpening = docPages.filter((page) => !/^# .+\n\n[A-Za-z`*]/.test(readFileSync(root(page), 'utf8')));
    expect(noOpening).toEqual([]);
  });

  test('the README stays a page a newcomer reads in 15 minutes', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(350);
  });
});
