// The steps of a run, as the `progress` query and the result report them. The interceptors track the steps that
// are service calls; a workflow names its plan and wraps in step() the few that are not (combining, a review).
// Module state is per run: the SDK gives every workflow execution its own copy of each module.
import { CancellationScope, CancelledFailure, defineQuery, isCancellation } from '@temporalio/workflow';
import { z } from 'zod';

export const StepName = z.enum([
  ...['validate', 'health-check', 'process-internal', 'process-external', 'enrich', 'third-party', 'combine'],
  ...['reserve-record', 'submit-publication', 'confirm-publication', 'commit-record', 'review', 'digest'],
] as const);
export type StepName = z.infer<typeof StepName>;

export const StepProgress = z.object({
  step: StepName,
  status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
  durationMs: z.number().nullable(),
});
export type StepProgress = z.infer<typeof StepProgress>;
export type StepStatus = StepProgress['status'];

/** A finished step: workflow time (deterministic, from the history), ISO 8601. */
export const StepTiming = z.object({
  step: StepName,
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  status: z.enum(['completed', 'failed', 'cancelled']),
});
export type StepTiming = z.infer<typeof StepTiming>;

/** A saga's compensation, once it has run: what it undid (its resource id), or why it failed. */
export const CompensationRecord = z.object({
  name: z.enum(['withdraw-publication', 'release-record']),
  outcome: z.enum(['undone', 'nothing-to-undo', 'failed']),
  detail: z.string(),
});
export type CompensationRecord = z.infer<typeof CompensationRecord>;

export const Progress = z.object({
  workflow: z.string(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled']),
  currentStep: StepName.nullable(),
  completedSteps: z.array(StepName),
  steps: z.array(StepProgress),
  /** Compensations a saga has run, in the order they ran (empty for the other workflows). */
  compensations: z.array(CompensationRecord),
});
export type Progress = z.infer<typeof Progress>;

export const progressQuery = defineQuery<Progress>('progress');

export interface Step extends StepProgress {
  startedAt: number;
  inFlight: number;
}

class RunSteps {
  status: Progress['status'] = 'running';
  steps: Step[] = [];
  /** The step a call made inside step() belongs to. One per run: step() bodies never overlap, nor run beside a handler's call. */
  explicit: StepName | null = null;
  last: Step | null = null;
  /** The interceptors show every change (the step that just started, if one did) in the run's current details. */
  onChange: (started?: StepName) => void = () => {};
  /** CurrentStep names only where the run stopped (current-details-v1): its failing step, or a review. */
  marksStops = false;
  readonly finished: StepTiming[] = [];
  readonly compensations: CompensationRecord[] = [];
  readonly startedAt = Date.now();
  readonly workflow: string;

  constructor(workflow: string) {
    this.workflow = workflow;
  }

  add(step: StepName, before?: StepName): void {
    const at = this.steps.findIndex((s) => s.step === before);
    this.steps.splice(at < 0 ? this.steps.length : at, 0, { step, status: 'pending', durationMs: null, startedAt: 0, inFlight: 0 });
  }

  planned(name: StepName): boolean {
    return this.steps.some((s) => s.step === name);
  }

  /** Marks `name` running, if it was pending. */
  enter(name: StepName): Step {
    const step = this.steps.find((s) => s.step === name);
    if (!step) throw new Error(`step ${name} is not in this workflow's plan`);
    this.last = step;
    if (step.status !== 'pending') return step;
    Object.assign(step, { status: 'running', startedAt: Date.now() });
    this.onChange(name);
    return step;
  }

  end(step: Step, status: StepTiming['status']): void {
    if (step.status !== 'running') return;
    const finished = Date.now();
    Object.assign(step, { status, durationMs: finished - step.startedAt });
    const iso = (ms: number) => new Date(ms).toISOString();
    this.finished.push({ step: step.step, startedAt: iso(step.startedAt), finishedAt: iso(finished), durationMs: step.durationMs!, status });
    this.onChange();
  }

  /** How the run ended; a failure or cancellation stops it at the last step it entered. */
  close(status: Exclude<Progress['status'], 'running'>): void {
    this.status = status;
    const last = this.last;
    if (status !== 'completed' && last?.status === 'running') this.end(last, status);
    else if (status !== 'completed' && last?.status === 'completed') last.status = status;
    this.onChange();
  }

  progress(): Progress {
    return {
      workflow: this.workflow,
      status: this.status,
      currentStep: this.steps.find((s) => s.status === 'running')?.step ?? null,
      completedSteps: this.steps.filter((s) => s.status === 'completed').map((s) => s.step),
      steps: this.steps.map(({ step, status, durationMs }) => ({ step, status, durationMs })),
      compensations: this.compensations.map((c) => ({ ...c })),
    };
  }
}

let run: RunSteps | undefined;

/** The run's steps; the interceptors create them as the run starts. */
export function runSteps(workflow?: string): RunSteps {
  if (workflow !== undefined) run = new RunSteps(workflow);
  if (!run) throw new Error('no steps: this workflow runs without the interceptors of temporal/workflows/interceptors.ts');
  return run;
}

/** The steps this run will take, in order; until then the run has no steps to show. */
export function plan(...steps: StepName[]): void {
  for (const step of steps) runSteps().add(step);
}

/** Adds a step the run turned out to need: before `before`, or at the end. */
export function addStep(step: StepName, before?: StepName): void {
  runSteps().add(step, before);
}

/** Runs `body` as step `name`; a throw fails (or cancels) the step and is passed on. */
export async function step<T>(name: StepName, body: () => Promise<T> | T): Promise<T> {
  const steps = runSteps();
  const entered = steps.enter(name);
  const outer = steps.explicit;
  steps.explicit = name;
  try {
    const result = await body();
    steps.end(entered, 'completed');
    return result;
  } catch (error) {
    throw failStep(entered, error);
  } finally {
    steps.explicit = outer;
  }
}

/** Ends `entered` as failed, or cancelled when the run is; the error to pass on. */
export function failStep(entered: Step, error: unknown): unknown {
  const cancelled = isCancellation(error) || CancellationScope.current().consideredCancelled;
  runSteps().end(entered, cancelled ? 'cancelled' : 'failed');
  if (cancelled && !isCancellation(error)) return new CancelledFailure('the run was cancelled', [], error as Error);
  return error;
}

/** Whether step `name` has begun (a saga asks whether its commit was tried). */
export function stepBegun(name: StepName): boolean {
  return runSteps().steps.some((s) => s.step === name && s.status !== 'pending');
}

export const compensated = (record: CompensationRecord) => void runSteps().compensations.push(record);

export function compensationsRun(): CompensationRecord[] {
  return runSteps().compensations.map((c) => ({ ...c }));
}

export function timings(): StepTiming[] {
  return runSteps().finished.map((t) => ({ ...t }));
}

export const elapsedMs = () => Date.now() - runSteps().startedAt;
