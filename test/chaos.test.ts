// Proves `npm run chaos` loses, fails and duplicates nothing through its kills, and cleans up after itself.
// A real process, small: its own stack, Server B killed 4 times and the worker twice while 20 workflows run,
// and its report must say so. Ctrl-C stops every process it started; a bad option is a usage error.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { alive, killLeftovers, type LongRunning, ROOT, runNode, startNode, stopIfRunning } from './support/processes.ts';
import { localCli, TEMPORAL_TAG, temporal } from './support/temporal.ts';

/** Every pid the run printed (its dev server, services and workers, restarted ones included) and its state directory. */
function startedBy(output: string) {
  return {
    pids: [...output.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1])),
    dir: /stack up, state in (\S+)/.exec(output)?.[1],
  };
}

describe.skipIf(!temporal.available || !localCli)(`${TEMPORAL_TAG} npm run chaos`, { timeout: 240_000 }, () => {
  let chaos: LongRunning | undefined;
  afterEach(async () => {
    try {
      // A run that is still going is asked to stop, so that it stops the processes it started; a run that
      // does not stop within the bound fails the test, and what it left is killed all the same.
      await stopIfRunning(chaos, 30_000);
    } finally {
      chaos = undefined;
      killLeftovers();
    }
  });

  function startChaos(args: string[]): LongRunning {
    chaos = startNode('scripts/chaos.ts', args, { TEMPORAL_CLI_PATH: localCli!.path });
    return chaos;
  }

  test('20 workflows through 4 kills of Server B and 2 of the worker: all completed, none lost, no duplicate effect', async () => {
    const run = startChaos(['--workflows', '20', '--concurrency', '10', '--seed', '2024']);
    const code = await run.exited;
    const output = run.output();
    expect(output).toContain('Chaos run: 20 workflows (10 multi-server, 10 publish sagas), 10 at a time, seed 2024');
    // A multi-server run whose enrich met Server B's open circuit breaker completes degraded: counted, never lost or failed.
    expect(output).toMatch(/Workflows {4}20 started of 20: 20 completed \(\d+ degraded, not lost\), 0 failed or unexpected, 0 still running \(lost\)/);
    expect(output).toContain(
      "Completed    multi-server 10 (same content on both servers in 10); publish saga 10: 9 published, 1 rejected by Server B's rules (1 expected)",
    );
    expect(output).toContain('Saga state   10 sagas checked: records 10 with 1; publications 9 with 1, 1 with 0');
    expect(output).toContain('0 duplicates, 0 inconsistent, 0 effects of no saga');
    // The kills happened, each while runs were in flight, and the runs felt them.
    const kills = /server-b killed (\d+) times, worker killed (\d+) times \((\d+) of (\d+) planned\)/.exec(output);
    expect(kills, output).not.toBeNull();
    const [, b, worker, done, planned] = kills!.map(Number);
    expect(b).toBeGreaterThanOrEqual(2);
    expect(worker).toBe(2);
    expect(done).toBe(planned);
    expect(output.match(/chaos \d\/6: SIGKILL (server-b|worker), [1-9]\d* workflows? in flight/g)).toHaveLength(6);
    expect(Number(/Retries +(\d+) steps/.exec(output)?.[1])).toBeGreaterThan(0);
    expect(output).toContain('no process exited on its own');
    expect(output).toContain('OK: nothing lost, nothing failed, nothing duplicated, every saga consistent');
    expect(code, output).toBe(0);
    // It cleaned up: every process it started is gone, and so is its state directory.
    const { pids, dir } = startedBy(output);
    expect(pids.length).toBeGreaterThanOrEqual(4 + 6);
    expect(pids.filter(alive)).toEqual([]);
    expect(dir && existsSync(dir)).toBe(false);
  });

  // retry: 1 until fresh-clone runs confirm the fix in scripts/chaos.ts (the SDK's retry timer throwing after the
  // connection closed made 2 of 6 CI runs exit 1); a failure still leaves the run's output in test/.artifacts/.
  test('Ctrl-C in the middle of the chaos stops every process it started and removes its state', { retry: 1 }, async () => {
    const run = startChaos(['--workflows', '200', '--seed', '7']);
    await run.waitFor(/chaos 1\/6: SIGKILL/, 120_000);
    // A terminal's Ctrl-C: SIGINT to the whole foreground process group.
    process.kill(-run.pid, 'SIGINT');
    const code = await run.exited;
    // Kept in test/.artifacts/ (git-ignored): what the run said when it ended otherwise.
    if (code !== 130) {
      mkdirSync(join(ROOT, 'test/.artifacts'), { recursive: true });
      writeFileSync(join(ROOT, `test/.artifacts/chaos-ctrl-c-exit-${code}-${Date.now()}.log`), run.output());
    }
    expect(code, run.output()).toBe(130);
    const output = run.output();
    expect(output).toContain('SIGINT: stopping the stack');
    expect(output).not.toContain('Report');
    const { pids, dir } = startedBy(output);
    expect(pids.length).toBeGreaterThanOrEqual(4);
    await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(dir && existsSync(dir)).toBe(false);
  });
});

test.each([[['--workflows', '0']], [['--workflows', 'many']], [['--concurrency', '0']], [['--saga-share', '1.5']], [['--seed', '-1']], [['--fast']], [['20']]])(
  'npm run chaos rejects %j with usage and exit 2',
  async (args) => {
    const result = await runNode('scripts/chaos.ts', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: npm run chaos -- [--workflows N]');
    expect(result.stdout).toBe('');
  },
);
