// What the runs left behind, read from the services and from Temporal once every run has ended:
// each saga's record on Server A and publication on Server B, found by the Idempotency-Key that created
// them (`{workflowId}/{runId}/{step}`), and how many steps needed more than one attempt.
import type { Client } from '@temporalio/client';
import type { DataRecord, ListResponse, Publication } from '../../shared/api.ts';
import type { Run } from './runner.ts';

export interface SagaEffects {
  checked: number;
  /** How many sagas left 0, 1, 2... records (and publications). */
  recordsPerRun: Map<number, number>;
  publicationsPerRun: Map<number, number>;
  /** Sagas with more than one record or more than one publication. */
  duplicates: string[];
  /** Sagas whose state breaks the saga's promise, each with what is wrong. */
  inconsistent: Array<{ workflowId: string; problem: string }>;
  /** Records and publications no saga of this run created (a multi-server run changes no state). */
  strays: number;
}

export async function sagaEffects(urls: Record<'server-a' | 'server-b', string>, token: string, runs: Run[]): Promise<SagaEffects> {
  const records = byWorkflow(await list<DataRecord>(`${urls['server-a']}/records`, token));
  const publications = byWorkflow(await list<Publication>(`${urls['server-b']}/publications`, token));
  const sagas = runs.filter((r) => r.planned.kind === 'publish');
  const effects: SagaEffects = { checked: 0, recordsPerRun: new Map(), publicationsPerRun: new Map(), duplicates: [], inconsistent: [], strays: 0 };
  const sagaIds = new Set(sagas.map((r) => r.workflowId));
  for (const [id, items] of [...records, ...publications]) if (!sagaIds.has(id)) effects.strays += items.length;

  for (const run of sagas) {
    // A run still going could still change its state; it is counted as lost instead.
    if (run.outcome.status === 'running') continue;
    effects.checked++;
    const mine = { records: records.get(run.workflowId) ?? [], publications: publications.get(run.workflowId) ?? [] };
    count(effects.recordsPerRun, mine.records.length);
    count(effects.publicationsPerRun, mine.publications.length);
    if (mine.records.length > 1 || mine.publications.length > 1) effects.duplicates.push(run.workflowId);
    const problem = stateProblem(run, mine.records, mine.publications);
    if (problem) effects.inconsistent.push({ workflowId: run.workflowId, problem });
  }
  return effects;
}

/**
 * The saga's promise, as saga.test.ts checks it: a published run leaves its record committed and its
 * publication published; a rejected run its one record released and no publication (or a withdrawn one);
 * any other ending leaves the record released (or none) and the publication withdrawn (or none). Nothing
 * is ever left reserved or pending.
 */
function stateProblem(run: Run, records: DataRecord[], publications: Publication[]): string | undefined {
  const state = `records [${records.map((r) => r.status).join(', ')}], publications [${publications.map((p) => p.status).join(', ')}]`;
  const published = run.outcome.status === 'completed' && 'outcome' in run.outcome.result && run.outcome.result.outcome === 'published';
  if (published) {
    const [record] = records;
    const [publication] = publications;
    const ok = records.length === 1 && publications.length === 1 && record!.status === 'committed' && publication!.status === 'published';
    if (!ok) return `published, but ${state}`;
    if (publication!.recordId !== record!.id) return `published, but the publication belongs to record ${publication!.recordId}, not ${record!.id}`;
    return undefined;
  }
  const rejected = run.outcome.status === 'completed' && 'outcome' in run.outcome.result && run.outcome.result.outcome === 'rejected';
  // Rejected at submit: the record was reserved before, and released by the compensation.
  if (rejected && records.length !== 1) return `rejected, but ${state}`;
  if (run.outcome.status === 'not started') return records.length + publications.length > 0 ? `never started, yet ${state}` : undefined;
  if (records.some((r) => r.status !== 'released') || publications.some((p) => p.status !== 'withdrawn')) return `${run.outcome.status}, but ${state}`;
  return undefined;
}

/** Steps (activities) that needed more than one attempt, from each run's history. */
export async function retriedSteps(client: Client, runs: Run[], concurrency = 20): Promise<{ steps: number; runs: number }> {
  const closed = runs.filter((r) => r.outcome.status === 'completed' || r.outcome.status === 'failed');
  let steps = 0;
  let retriedRuns = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < closed.length) {
        const run = closed[next++]!;
        const events = (await client.workflow.getHandle(run.workflowId).fetchHistory()).events ?? [];
        const retried = events.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
        steps += retried;
        if (retried > 0) retriedRuns++;
      }
    }),
  );
  return { steps, runs: retriedRuns };
}

/** The service's whole list (the lists are not paginated). */
async function list<T>(url: string, token: string): Promise<T[]> {
  const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!answer.ok) throw new Error(`GET ${url} answered HTTP ${answer.status}: ${(await answer.text()).slice(0, 200)}`);
  return ((await answer.json()) as ListResponse<T>).items;
}

/** Items grouped by the workflow whose step created them: the key is `{workflowId}/{runId}/{step}`. */
function byWorkflow<T extends { createdByKey: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const workflowId = item.createdByKey.split('/')[0]!;
    groups.set(workflowId, [...(groups.get(workflowId) ?? []), item]);
  }
  return groups;
}

function count(histogram: Map<number, number>, n: number): void {
  histogram.set(n, (histogram.get(n) ?? 0) + 1);
}
