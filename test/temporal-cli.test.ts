// Finding or making the Temporal CLI: the order of the places tried, a Go build with visible progress,
// and a clear account of what was tried when nothing works. The `go` and `temporal` executables here
// are small stand-in scripts (the real build takes minutes); the SDK download is a stub.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION, TemporalCliUnavailableError } from '../temporal/dev/temporal-cli.ts';
import { runNode } from './support/processes.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'temporal-cli-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function executable(path: string, script = '#!/bin/sh\necho "temporal version 0.0.0-test"\n'): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}

/** An environment with nothing on PATH but `bin/`, and the project cache under `cache/`. */
function env(): NodeJS.ProcessEnv {
  return { PATH: join(dir, 'bin'), XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir };
}

const offline = async () => {
  throw new Error('error sending request (offline)');
};

/** A stand-in `go` that "builds" by writing a temporal script into GOBIN, naming a few packages as it goes. */
const FAKE_GO = `#!/bin/sh
[ "$1" = install ] || exit 3
echo "github.com/temporalio/cli/internal" >&2
echo "github.com/temporalio/cli/cmd/temporal" >&2
printf '#!/bin/sh\\necho built\\n' > "$GOBIN/temporal"
/bin/chmod +x "$GOBIN/temporal"
`;

describe('ensureTemporalCli', () => {
  test('TEMPORAL_CLI_PATH wins over everything else', async () => {
    const explicit = await executable(join(dir, 'opt', 'temporal'));
    await executable(join(dir, 'bin', 'temporal'));
    expect(await ensureTemporalCli({ explicitPath: explicit, env: env(), sdkDownload: offline })).toEqual({ path: explicit, source: 'TEMPORAL_CLI_PATH' });
  });

  test('a TEMPORAL_CLI_PATH that is not executable is an error, not a reason to build another', async () => {
    const error = await ensureTemporalCli({ explicitPath: join(dir, 'missing'), env: env(), sdkDownload: offline }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalCliUnavailableError);
    expect((error as Error).message).toContain(`TEMPORAL_CLI_PATH="${join(dir, 'missing')}": not an executable file`);
  });

  test('then `temporal` on PATH', async () => {
    const onPath = await executable(join(dir, 'bin', 'temporal'));
    expect(await ensureTemporalCli({ env: env(), sdkDownload: offline })).toEqual({ path: onPath, source: 'PATH' });
  });

  test('then the project cache, outside the work tree', async () => {
    const cached = await executable(join(dir, 'cache', 'temporal-multi-server', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'));
    expect(await ensureTemporalCli({ env: env(), sdkDownload: offline })).toEqual({ path: cached, source: 'project cache' });
  });

  test("then the SDK's download, into the project cache", async () => {
    const found = await ensureTemporalCli({
      env: env(),
      sdkDownload: async (downloadDir) => {
        await executable(join(downloadDir, `temporal-${TEMPORAL_CLI_VERSION}`));
      },
    });
    expect(found).toEqual({ path: join(dir, 'cache', 'temporal-multi-server', 'sdk-download', `temporal-${TEMPORAL_CLI_VERSION}`), source: 'SDK download' });
  });

  test('then a Go build of the pinned version, which says what it does and why; the next call finds it cached', async () => {
    await executable(join(dir, 'bin', 'go'), FAKE_GO);
    const lines: string[] = [];
    const built = await ensureTemporalCli({ env: env(), sdkDownload: offline, log: (line) => lines.push(line) });
    const target = join(dir, 'cache', 'temporal-multi-server', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
    expect(built).toEqual({ path: target, source: 'go install' });
    const said = lines.join('\n');
    expect(said).toContain('The SDK download failed (error sending request (offline)).');
    expect(said).toContain(
      `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from source with Go (go install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION})`,
    );
    expect(said).toContain('The first build takes about 5 minutes on 2 cores');
    expect(said).toMatch(new RegExp(`Built the Temporal CLI ${TEMPORAL_CLI_VERSION} in \\d+s: ${target.replace(/[.]/g, '\\.')}`));
    expect(await ensureTemporalCli({ env: env(), sdkDownload: offline })).toEqual({ path: target, source: 'project cache' });
  });

  test('a failed Go build and no Go at all each end with what was tried and what to do', async () => {
    await executable(join(dir, 'bin', 'go'), '#!/bin/sh\necho "go: module lookup disabled" >&2\nexit 1\n');
    const failedBuild = await ensureTemporalCli({ env: env(), sdkDownload: offline }).catch((e: unknown) => e);
    expect(failedBuild).toBeInstanceOf(TemporalCliUnavailableError);
    expect((failedBuild as Error).message).toContain('exit code 1: go: module lookup disabled');

    await rm(join(dir, 'bin', 'go'));
    const noGo = (await ensureTemporalCli({ env: env(), sdkDownload: offline }).catch((e: unknown) => e)) as TemporalCliUnavailableError;
    expect(noGo.tried).toEqual([
      'TEMPORAL_CLI_PATH: not set',
      '`temporal` on PATH: none',
      `project cache ${join(dir, 'cache', 'temporal-multi-server')}: empty`,
      'the SDK download: error sending request (offline)',
      '`go install`: no `go` on PATH',
    ]);
    expect(noGo.message).toContain('install the Temporal CLI');
    expect(noGo.message).toContain('install Go');
  });
});

test('npm run temporal:install names the CLI it found, and refuses a bad TEMPORAL_CLI_PATH with exit 2', async () => {
  const cli = await executable(join(dir, 'opt', 'temporal'));
  const found = await runNode('scripts/temporal-install.ts', [], { TEMPORAL_CLI_PATH: cli });
  expect(found.code).toBe(0);
  expect(found.stdout).toContain(`Temporal CLI: ${cli} (from TEMPORAL_CLI_PATH); its dev server runs Temporal server 1.29.1.`);

  const refused = await runNode('scripts/temporal-install.ts', [], { TEMPORAL_CLI_PATH: join(dir, 'nope') });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain(`TEMPORAL_CLI_PATH="${join(dir, 'nope')}": not an executable file`);
});
