// Proves `npm run drill:cluster`: a Temporal cluster of separate processes on PostgreSQL loses a history host, has
// matching and the frontend restarted and PostgreSQL stopped under runs in flight, and every run still completes
// with no effect duplicated; everything it started (processes, its PostgreSQL cluster) is gone after.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { alive, killLeftovers, type LongRunning, runNode, startNode, stopIfRunning } from './support/processes.ts';
import { localCli } from './support/temporal.ts';

const required = process.env.TEMPORAL_REQUIRED === '1';
const lacking = !localCli
  ? 'no Temporal CLI (npm run temporal:install)'
  : process.getuid?.() !== 0
    ? 'not root (the drill makes a PostgreSQL cluster of its own)'
    : !existsSync('/usr/bin/pg_createcluster')
      ? 'no Debian PostgreSQL (pg_createcluster)'
      : undefined;

const clusters = () => execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });

describe.skipIf(lacking !== undefined && !required)('[needs PostgreSQL] npm run drill:cluster', { timeout: 900_000 }, () => {
  let drill: LongRunning | undefined;
  afterEach(async () => {
    try {
      // A drill still going is asked to stop, so that it stops what it started; one that does not, fails the test.
      await stopIfRunning(drill, 60_000);
    } finally {
      killLeftovers();
      // A drill killed before its own cleanup leaves its PostgreSQL cluster: dropped here.
      const [, version, left] = /PostgreSQL (\S+) cluster (temporal-drill-\d+) on/.exec(drill?.output() ?? '') ?? [];
      if (left && clusters().includes(left)) execFileSync('pg_dropcluster', ['--stop', version!, left]);
      drill = undefined;
    }
  });

  test('300 workflows through a history host killed, matching and the frontend restarted, PostgreSQL stopped: all completed, none duplicated', async () => {
    if (lacking) throw new Error(`TEMPORAL_REQUIRED=1, but the drill cannot run: ${lacking}`);
    drill = startNode('scripts/cluster-drill.ts', ['--workflows', '300', '--concurrency', '100'], { TEMPORAL_CLI_PATH: localCli!.path });
    const code = await drill.exited;
    const output = drill.output();
    expect(output).toMatch(/Workflows {4}300 started of 300: 300 completed \(\d+ degraded, not lost\), 0 failed or unexpected, 0 still running \(lost\)/);
    // Runs in flight through every fault, the first with most of the 100 slots taken.
    const inFlight = [...output.matchAll(/fault \d\/4: .*, (\d+) workflows? in flight/g)].map((m) => Number(m[1]));
    expect(inFlight, output).toHaveLength(4);
    expect(inFlight[0]).toBeGreaterThanOrEqual(50);
    expect(output).toMatch(
      /fault 1\/4: SIGKILL history-2 \(pid \d+\), which stays down.*\n(.*\n)*.*fault 1\/4: 16 new workflows completed, history-1 serving every shard/,
    );
    expect(output).toContain('fault 4/4: PostgreSQL stopped');
    expect(output).toMatch(
      /Healed {7}4 of 4 faults \(until 16 new workflows completed\): history-2 killed: [\d.]+ s, matching restarted: [\d.]+ s, frontend restarted: [\d.]+ s, PostgreSQL stopped for 10.0 s: [\d.]+ s/,
    );
    expect(output).toContain('0 duplicates, 0 inconsistent, 0 effects of no saga');
    expect(output).toContain('no process exited on its own');
    expect(output).toContain('OK: nothing lost, nothing failed, nothing duplicated, every saga consistent');
    expect(code, output).toBe(0);
    const pids = [...output.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThanOrEqual(5 + 3);
    await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(clusters()).not.toContain(/cluster (temporal-drill-\d+) on/.exec(output)![1]);
  });
});

test.each([[['--workflows', '0']], [['--concurrency', '500', '--workflows', '100']], [['--seed', '1']], [['200']]])(
  'npm run drill:cluster rejects %j with usage and exit 2',
  async (args) => {
    const result = await runNode('scripts/cluster-drill.ts', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: npm run drill:cluster -- [--workflows N]');
    expect(result.stdout).toBe('');
  },
);
