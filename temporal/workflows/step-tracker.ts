// Runs the steps of a workflow, recording for each its status and timing. The `progress` query
// reads the tracker, so a client sees which step is running while the workflow is still going.
// Date.now() inside a workflow is workflow time: the same on every replay.
import { CancellationScope, CancelledFailure, isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import { PATCHES, takesPatch } from './patches.ts';
import { CURRENT_STEP } from './search-attributes.ts';
import type { CompensationRecord, Progress, StepName, StepProgress, StepTiming, WorkflowName } from './types.ts';

export class StepTracker {
  private readonly workflow: WorkflowName;
  private steps: StepProgress[] = [];
  private readonly finished: StepTiming[] = [];
  private readonly compensations: CompensationRecord[] = [];
  private status: Progress['status'] = 'running';
  private readonly startedAt = Date.now();
  /** Runs from before the search attributes existed replay without their upserts. */
  private readonly publishesStep: boolean;

  constructor(workflow: WorkflowName) {
    this.workflow = workflow;
    this.publishesStep = takesPatch(PATCHES.searchAttributes);
  }

  /** Sets the plan once the input is known; until then the run has no steps to show. */
  plan(steps: StepName[]): void {
    this.steps = steps.map((step) => ({ step, status: 'pending', durationMs: null }));
  }

  /** Adds a step the run turned out to need (a review, say) to the plan, before `before`. */
  insertBefore(step: StepName, before: StepName): void {
    const at = this.steps.findIndex((s) => s.step === before);
    this.steps.splice(at < 0 ? this.steps.length : at, 0, { step, status: 'pending', durationMs: null });
  }

  /** Adds a step the run decided it needs at the end of the plan (a plan that grows from the data, say). */
  append(step: StepName): void {
    this.steps.push({ step, status: 'pending', durationMs: null });
  }

  /** Runs `body` outside any step (checking the input, say): a throw still ends the run as failed. */
  guard<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      this.status = 'failed';
      throw error;
    }
  }

  /** Runs one step; a throw marks the step and the workflow failed (or cancelled) and is passed on. */
  async run<T>(name: StepName, body: () => Promise<T> | T): Promise<T> {
    const step = this.steps.find((s) => s.step === name);
    if (!step) throw new Error(`step ${name} is not in this workflow's plan`);
    step.status = 'running';
    this.publishStep(name);
    const started = Date.now();
    try {
      const result = await body();
      step.status = 'completed';
      return result;
    } catch (error) {
      // Once the run is cancelled, whatever ends the step is part of that cancellation: an attempt can
      // also fail or time out after the request (a dead worker, an error in the last second before a
      // heartbeat). Reporting it as a failure would turn a cancelled run into a failed one.
      const cancelled = isCancellation(error) || CancellationScope.current().consideredCancelled;
      step.status = cancelled ? 'cancelled' : 'failed';
      this.status = step.status;
      if (cancelled && !isCancellation(error)) throw new CancelledFailure('the run was cancelled', [], error as Error);
      throw error;
    } finally {
      const finished = Date.now();
      step.durationMs = finished - started;
      this.finished.push({
        step: name,
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date(finished).toISOString(),
        durationMs: finished - started,
        status: step.status === 'running' ? 'failed' : (step.status as StepTiming['status']),
      });
    }
  }

  /** Records a saga compensation that has run, for the `progress` query and the result. */
  compensated(record: CompensationRecord): void {
    this.compensations.push(record);
  }

  compensationsRun(): CompensationRecord[] {
    return this.compensations.map((c) => ({ ...c }));
  }

  complete(): void {
    this.status = 'completed';
    this.publishStep('done');
  }

  /** The CurrentStep search attribute: which step a run is at (or failed at), or "done". */
  private publishStep(step: StepName | 'done'): void {
    if (this.publishesStep) upsertSearchAttributes([{ key: CURRENT_STEP, value: step }]);
  }

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  timings(): StepTiming[] {
    return this.finished.map((t) => ({ ...t }));
  }

  progress(): Progress {
    return {
      workflow: this.workflow,
      status: this.status,
      currentStep: this.steps.find((s) => s.status === 'running')?.step ?? null,
      completedSteps: this.steps.filter((s) => s.status === 'completed').map((s) => s.step),
      steps: this.steps.map((s) => ({ ...s })),
      compensations: this.compensationsRun(),
    };
  }
}
