// The chaos run's report, once every run has ended, from how the runs ended and what they left behind in the
// services and the histories; its verdict sets the exit code.
import type { Client } from '@temporalio/client';
import type { DataRecord } from '../../server-a/contract.ts';
import type { Publication } from '../../server-b/contract.ts';
import { inParallel } from '../support/in-parallel.ts';
import type { LocalStack } from '../support/local-stack.ts';
import { type Run, type runUnderChaos, seconds } from './runner.ts';

export async function report(
  stack: LocalStack,
  run: Awaited<ReturnType<typeof runUnderChaos>>,
  /** faults: the report's lines on the faults injected, and whether they all were, and healed. */
  chaos: { seed?: number; planned: number; wallMs: number; faults: { lines: string[]; ok: boolean } },
) {
  const { runs } = run;
  const records = await byWorkflow<DataRecord>(`${stack.urls['server-a']}/records`, stack.token);
  const publications = await byWorkflow<Publication>(`${stack.urls['server-b']}/publications`, stack.token);
  const sagas = runs.filter((r) => r.planned.kind === 'publish');
  // A multi-server run changes no state: whatever no saga of this run created is a stray.
  const sagaIds = new Set(sagas.map((r) => r.workflowId));
  const strays = [...records, ...publications].filter(([id]) => !sagaIds.has(id)).reduce((n, [, items]) => n + items.length, 0);
  // A run still going could still change its state; it is counted as lost instead.
  const checked = sagas
    .filter((r) => r.outcome.status !== 'running')
    .map((r) => ({ run: r, records: records.get(r.workflowId) ?? [], publications: publications.get(r.workflowId) ?? [] }));
  const duplicates = checked.filter((s) => s.records.length > 1 || s.publications.length > 1).length;
  const inconsistent = checked.flatMap((s) => {
    const problem = stateProblem(s.run, s.records, s.publications);
    return problem ? [`${s.run.workflowId}: ${problem}`] : [];
  });
  const retried = await retriedSteps(stack.client, runs);
  const refused = runs.filter((r) => r.failedStarts !== undefined);
  const lost = runs.filter((r) => r.outcome.status === 'running').length + (chaos.planned - runs.length);
  const failures = Map.groupBy(runs, unexpected);
  failures.delete(undefined);
  const completed = runs.flatMap((r) => (r.outcome.status === 'completed' ? [{ planned: r.planned, result: r.outcome.result }] : []));
  const multi = completed.flatMap(({ result }) => (result.workflow === 'multiServerWorkflow' ? [result] : []));
  const saga = completed.flatMap(({ planned, result }) => (result.workflow === 'multiServerWorkflow' ? [] : [{ planned, outcome: result.outcome }]));
  const count = <T>(items: T[], which: (item: T) => boolean) => items.filter(which).length;
  const published = count(saga, (s) => s.outcome === 'published');
  // Completed on a step's fallback (Server B's circuit breaker was open): an answer with less in it, not a loss.
  const degraded = count(multi, (m) => m.degraded);
  const failed = [...failures.values()].reduce((n, group) => n + group.length, 0);
  const exits = stack.unplannedExits.map((x) => `${x.name} (${x.signal ?? `code ${x.code}`})`);
  const ids = (group: Run[]) => [...group.slice(0, 3).map((r) => r.workflowId), ...(group.length > 3 ? ['…'] : [])].join(', ');

  const lines = [
    `Report${chaos.seed === undefined ? '' : ` (seed ${chaos.seed})`}`,
    `  Workflows    ${runs.length} started of ${chaos.planned}: ${completed.length} completed (${degraded} degraded, not lost), ${failed} failed or unexpected, ${lost} still running (lost)`,
    `  Completed    multi-server ${multi.length} (same content on both servers in ${count(multi, (m) => m.summary.hashesMatch)}); ` +
      `publish saga ${saga.length}: ${published} published, ${saga.length - published} rejected by Server B's rules ` +
      `(${count(saga, (s) => s.planned.expectedOutcome === 'rejected')} expected)`,
    `  Failed       ${failed === 0 ? 'none' : failed}`,
    ...[...failures].map(([reason, group]) => `    ${String(group.length).padStart(5)} × ${reason} (${ids(group)})`),
    `  Saga state   ${checked.length} sagas checked: records ${histogram(checked.map((s) => s.records.length))}; ` +
      `publications ${histogram(checked.map((s) => s.publications.length))}`,
    `               ${duplicates} duplicates, ${inconsistent.length} inconsistent, ${strays} effects of no saga`,
    ...inconsistent.slice(0, 5).map((line) => `               ${line}`),
    ...(inconsistent.length > 5 ? [`               … and ${inconsistent.length - 5} more`] : []),
    `  Retries      ${retried.steps} steps in ${retried.runs} runs needed more than one attempt`,
    ...(refused.length === 0
      ? []
      : [`               ${refused.length} starts failed at first and were tried again (${refused.reduce((n, r) => n + r.failedStarts!, 0)} failed attempts)`]),
    ...chaos.faults.lines,
    `               ${exits.length === 0 ? 'no process exited on its own' : `exited on their own: ${exits.join(', ')}`}`,
    `  Time         ${seconds(chaos.wallMs)}, ${(completed.length / (chaos.wallMs / 1000)).toFixed(1)} workflows/s`,
  ];
  const ok = [lost, failed, duplicates, inconsistent.length, strays, exits.length].every((n) => n === 0) && chaos.faults.ok;
  lines.push(ok ? 'OK: nothing lost, nothing failed, nothing duplicated, every saga consistent' : 'NOT OK: see above');
  return { lines, ok };
}

/**
 * The saga's promise (as saga.test.ts checks it): published leaves its record committed and its publication
 * published; rejected, its one record released; any other ending, nothing not released or withdrawn.
 */
function stateProblem(run: Run, records: DataRecord[], publications: Publication[]): string | undefined {
  const state = `records [${records.map((r) => r.status).join(', ')}], publications [${publications.map((p) => p.status).join(', ')}]`;
  const outcome = run.outcome.status === 'completed' && 'outcome' in run.outcome.result ? run.outcome.result.outcome : undefined;
  if (outcome === 'published') {
    const [record] = records;
    const [publication] = publications;
    const ok = records.length === 1 && publications.length === 1 && record!.status === 'committed' && publication!.status === 'published';
    if (!ok) return `published, but ${state}`;
    if (publication!.recordId !== record!.id) return `published, but the publication belongs to record ${publication!.recordId}, not ${record!.id}`;
    return undefined;
  }
  // Rejected at submit: the record was reserved before, and released by the compensation.
  if (outcome === 'rejected' && records.length !== 1) return `rejected, but ${state}`;
  if (run.outcome.status === 'not started') return records.length + publications.length > 0 ? `never started, yet ${state}` : undefined;
  if (records.some((r) => r.status !== 'released') || publications.some((p) => p.status !== 'withdrawn')) return `${run.outcome.status}, but ${state}`;
  return undefined;
}

/** Activities that needed more than one attempt, from each closed run's history, 20 histories at a time. */
async function retriedSteps(client: Client, runs: Run[]): Promise<{ steps: number; runs: number }> {
  const closed = runs.filter((r) => r.outcome.status === 'completed' || r.outcome.status === 'failed');
  const retried = { steps: 0, runs: 0 };
  await inParallel(closed.length, 20, async (i) => {
    const { events } = await client.workflow.getHandle(closed[i]!.workflowId).fetchHistory();
    const steps = (events ?? []).filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
    retried.steps += steps;
    if (steps > 0) retried.runs++;
  });
  return retried;
}

/** The service's whole list (not paginated), grouped by the workflow whose step created each item: its key is `{workflowId}/{runId}/{step}`. */
async function byWorkflow<T extends { createdByKey: string }>(url: string, token: string): Promise<Map<string, T[]>> {
  const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!answer.ok) throw new Error(`GET ${url} answered HTTP ${answer.status}: ${(await answer.text()).slice(0, 200)}`);
  return Map.groupBy(((await answer.json()) as { items: T[] }).items, (item) => item.createdByKey.split('/')[0]!);
}

/** Why a closed run is not what it should be, or undefined when it is. */
function unexpected(run: Run): string | undefined {
  const { outcome } = run;
  if (outcome.status === 'running') return undefined;
  if (outcome.status !== 'completed') return `${outcome.status === 'not started' ? 'not started: ' : ''}${outcome.type}: ${outcome.message.slice(0, 160)}`;
  const { result } = outcome;
  if (result.workflow === 'multiServerWorkflow') return result.summary.hashesMatch ? undefined : 'completed, but the two servers saw different content';
  return result.outcome === run.planned.expectedOutcome ? undefined : `saga ${result.outcome}, ${run.planned.expectedOutcome} expected`;
}

/** "450 with 1, 50 with 0": how many sagas left how many, from each saga's count. */
function histogram(counts: number[]): string {
  if (counts.length === 0) return '-';
  return [...Map.groupBy(counts, (n) => n)]
    .sort(([x], [y]) => y - x)
    .map(([n, sagas]) => `${sagas.length} with ${n}`)
    .join(', ');
}
