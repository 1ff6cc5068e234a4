// What a chaos run will do, drawn up front from its seed: which workflows it starts with which data,
// and when it kills which process for how long. The same seed gives the same plan.

export type ChaosTarget = 'server-b' | 'worker';

export interface ChaosEvent {
  target: ChaosTarget;
  /** The kill comes just before the workflow with this index is started, so runs are in flight through it. */
  beforeStart: number;
  /** How long the process stays dead before it is started again. */
  downMs: number;
}

export interface PlannedWorkflow {
  index: number;
  kind: 'multi' | 'publish';
  data: string;
  /** For a saga: what it must end with. Content with a banned word is rejected by Server B's rules. */
  expectedOutcome?: 'published' | 'rejected';
}

const SERVER_B_KILLS = 4;
const WORKER_KILLS = 2;
/** Down for a few seconds, well under the workflows' outage limit (2 minutes by default). */
const DOWNTIME_MS: Record<ChaosTarget, [number, number]> = { 'server-b': [2_000, 6_000], worker: [2_000, 5_000] };
/** Every tenth saga carries content Server B refuses, so compensations run under the chaos too. */
const REJECTED_EVERY = 10;

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The workflows in start order: sagas spread evenly at `sagaShare`, multi-server runs between them. */
export function planWorkflows(count: number, sagaShare: number): PlannedWorkflow[] {
  let sagas = 0;
  return Array.from({ length: count }, (_, index) => {
    if (Math.floor((index + 1) * sagaShare) === Math.floor(index * sagaShare)) {
      return { index, kind: 'multi', data: `Chaos run ${index}: fresh news about the order` };
    }
    const rejected = sagas++ % REJECTED_EVERY === REJECTED_EVERY - 1;
    return rejected
      ? { index, kind: 'publish', data: `Chaos run ${index}: cheap spam offer`, expectedOutcome: 'rejected' }
      : { index, kind: 'publish', data: `Chaos run ${index}: fresh news about the order`, expectedOutcome: 'published' };
  });
}

/** Server B's and the worker's kills in a random order, at random moments between 5 % and 85 % of the starts. */
export function planChaos(workflows: number, random: () => number): ChaosEvent[] {
  const targets: ChaosTarget[] = [...Array<ChaosTarget>(SERVER_B_KILLS).fill('server-b'), ...Array<ChaosTarget>(WORKER_KILLS).fill('worker')];
  for (let i = targets.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [targets[i], targets[j]] = [targets[j]!, targets[i]!];
  }
  const first = Math.min(Math.max(1, Math.floor(workflows * 0.05)), workflows - 1);
  const last = Math.max(first, Math.floor(workflows * 0.85));
  const moments = targets.map(() => first + Math.floor(random() * (last - first + 1))).sort((x, y) => x - y);
  return targets.map((target, i) => {
    const [min, max] = DOWNTIME_MS[target];
    return { target, beforeStart: moments[i]!, downMs: Math.round(min + random() * (max - min)) };
  });
}
