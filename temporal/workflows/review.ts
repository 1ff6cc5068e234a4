// The publish saga's human in the loop: a reviewer approves or rejects a submitted publication before
// it is confirmed. The decision arrives as an Update (validated, answered) or a Signal (fire-and-forget);
// the `review` query shows the state. Each wait is a durable timer: at the first deadline the review
// escalates once (a reminder in its state and the logs), at the second it expires, which rejects.
import { ApplicationFailure } from '@temporalio/common';
import { condition, defineQuery, defineSignal, defineUpdate, isCancellation, log, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { z } from 'zod';
import type { ProcessInternalResponse } from '../../server-a/contract.ts';
import { FailureType } from '../failure-types.ts';
import { inputIssues } from './input.ts';
import { PATCHES, takesPatch } from './patches.ts';
import { CURRENT_STEP, REVIEW_STATE } from './search-attributes.ts';
import { runSteps } from './steps.ts';

/** Words that make a text need a person's eyes before it is published. */
export const REVIEW_WORDS = ['refund', 'urgent', 'legal', 'lawsuit', 'confidential'] as const;
/** Longer texts are reviewed too. */
export const REVIEW_WORD_LIMIT = 40;
/** Ignored signals kept in the review (the newest); the rest are only counted. Any sender may send any number. */
export const IGNORED_SIGNALS_KEPT = 10;

const REVIEWER = { error: 'must name the reviewer (1 to 100 characters)' };
const COMMENT = { error: 'must be text of at most 1000 characters when given' };
/** What a reviewer sends (update or signal); any client may send anything, so it is checked. */
export const ReviewDecision = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reviewer: z.string(REVIEWER).trim().min(1, REVIEWER).max(100, REVIEWER),
  comment: z.string(COMMENT).max(1_000, COMMENT).optional(),
});
export type ReviewDecision = z.infer<typeof ReviewDecision>;

export const ReviewStatus = z.object({
  state: z.enum(['not-needed', 'not-yet', 'pending', 'escalated', 'approved', 'rejected', 'expired', 'cancelled']),
  reason: z.string().nullable().meta({ description: 'Why the run asked for a review; null when it did not.' }),
  requestedAt: z.string().nullable(),
  deadline: z.string().nullable().meta({ description: 'When the current wait ends: escalation, then expiry.' }),
  escalatedAt: z.string().nullable(),
  decision: ReviewDecision.extend({ decidedAt: z.string() }).nullable(),
  ignoredSignals: z
    .array(z.object({ reason: z.string(), receivedAt: z.string() }))
    .meta({ description: 'Signals that could not be applied (bad or late), the newest kept.' }),
  ignoredSignalsDropped: z.number(),
});
export type ReviewStatus = z.infer<typeof ReviewStatus>;

export const reviewQuery = defineQuery<ReviewStatus>('review');
/** A reviewer's decision, for callers that want an answer: the validator refuses a malformed decision, or one
 *  when no review is pending, before anything enters the history; an accepted one returns the review. */
export const decideUpdate = defineUpdate<ReviewStatus, [ReviewDecision]>('decide');
/** The same decision, fire-and-forget: one that cannot apply is kept in the review's ignoredSignals. */
export const decideSignal = defineSignal<[ReviewDecision]>('decide');

/** Why a review is needed, or null: from Server A's analysis only, so every replay gives the same answer. */
export function reviewReason(internal: ProcessInternalResponse, requested: boolean): string | null {
  if (requested) return 'the client asked for a review';
  const words = internal.normalized.split(' ');
  const word = REVIEW_WORDS.find((w) => words.includes(w));
  if (word) return `the text mentions "${word}"`;
  if (internal.wordCount > REVIEW_WORD_LIMIT) return `the text is long (${internal.wordCount} words; over ${REVIEW_WORD_LIMIT} are reviewed)`;
  return null;
}

/** Every problem with a decision as a caller sent it (any JSON: the Web UI and `temporal` CLI can send anything), at most three. */
export function decisionProblems(raw: unknown): string[] {
  const problems = inputIssues(ReviewDecision, raw, 'a decision', '{"decision": "approve", "reviewer": "ada"}', 'the decision').map((i) => i.message);
  return problems.length > 3 ? [...problems.slice(0, 3), '…'] : problems;
}

export class Review {
  readonly status: ReviewStatus = {
    state: 'not-yet',
    reason: null,
    requestedAt: null,
    deadline: null,
    escalatedAt: null,
    decision: null,
    ignoredSignals: [],
    ignoredSignalsDropped: 0,
  };

  /** Sets the handlers at once, so the query answers, and early decisions are refused with a reason, from the start. */
  constructor() {
    setHandler(reviewQuery, () => clone(this.status));
    setHandler(decideUpdate, (decision) => this.decide(decision), {
      validator: (decision) => {
        const problem = this.refusal(decision);
        if (problem) throw ApplicationFailure.create({ type: FailureType.decisionRefused, message: problem, nonRetryable: true });
      },
    });
    setHandler(decideSignal, (decision) => {
      const problem = this.refusal(decision);
      if (!problem) return void this.decide(decision);
      this.status.ignoredSignals.push({ reason: problem, receivedAt: new Date().toISOString() });
      // Bounded: the review is in every query answer and in the result, and any client may send signals.
      if (this.status.ignoredSignals.length > IGNORED_SIGNALS_KEPT) {
        this.status.ignoredSignals.shift();
        this.status.ignoredSignalsDropped += 1;
      }
      log.warn('review decision signal ignored', { reason: problem });
    });
  }

  /** The run needs no review: decisions sent to it are refused as such. */
  notNeeded(): void {
    this.status.state = 'not-needed';
  }

  /** Waits for the decision: approve, reject, or expire after two deadlines (the first escalates). */
  async decision(reason: string, deadlineMs: number): Promise<'approve' | 'reject' | 'expired'> {
    const now = () => new Date().toISOString();
    Object.assign(this.status, { state: 'pending', reason, requestedAt: now(), deadline: new Date(Date.now() + deadlineMs).toISOString() });
    this.publishState();
    const decided = () => this.status.decision !== null;
    try {
      if (!(await condition(decided, deadlineMs, { summary: 'review deadline: escalate' }))) {
        Object.assign(this.status, { state: 'escalated', escalatedAt: now(), deadline: new Date(Date.now() + deadlineMs).toISOString() });
        this.publishState();
        log.warn('review escalated: no decision by the deadline', { reason, nextDeadline: this.status.deadline });
        if (!(await condition(decided, deadlineMs, { summary: 'review deadline: expire' }))) {
          Object.assign(this.status, { state: 'expired', deadline: null });
          this.publishState();
          return 'expired';
        }
      }
      return this.status.decision!.decision;
    } catch (error) {
      // A run cancelled while it waits is no longer waiting: decisions are refused from now on, and (for
      // runs that started with this code) `list --review pending` no longer finds it.
      if (isCancellation(error)) {
        Object.assign(this.status, { state: 'cancelled', deadline: null });
        if (takesPatch(PATCHES.reviewCancelledState)) this.publishState();
      }
      throw error;
    }
  }

  private refusal(raw: unknown): string | null {
    const problems = decisionProblems(raw);
    if (problems.length > 0) return `Invalid decision: ${problems.join('; ')}`;
    const { state } = this.status;
    if (state === 'pending' || state === 'escalated') return null;
    if (state === 'not-needed') return 'This run needs no review: its data met no review rule';
    if (state === 'not-yet') return 'This run is not waiting for a review yet (it asks once its publication is submitted)';
    return `This run's review is already over (${state}${this.status.decision ? ` by ${this.status.decision.reviewer}` : ''})`;
  }

  /** Records an accepted decision; returns the review as it now is (a copy, the update's answer). */
  private decide(raw: ReviewDecision): ReviewStatus {
    const { decision: kind, reviewer, comment } = ReviewDecision.parse(raw);
    this.status.decision = { decision: kind, reviewer, ...(comment ? { comment } : {}), decidedAt: new Date().toISOString() };
    this.status.state = kind === 'approve' ? 'approved' : 'rejected';
    this.status.deadline = null;
    this.publishState();
    return clone(this.status);
  }

  /** The ReviewState search attribute follows the state, so pending reviews can be listed. A run that marks only
   *  its stops (steps.ts) names "review" as its CurrentStep in the same write while a person is asked, and clears
   *  it with the decision (a cancelled run's stop is set by the interceptors as it ends). */
  private publishState(): void {
    const { state } = this.status;
    const waiting = state === 'pending' || state === 'escalated';
    const stop = runSteps().marksStops && state !== 'cancelled' ? [{ key: CURRENT_STEP, value: waiting ? 'review' : null }] : [];
    upsertSearchAttributes([{ key: REVIEW_STATE, value: state }, ...stop]);
  }
}

/** The failure a rejected or expired review ends the saga's steps with; the saga turns it into a "rejected" outcome. */
export function reviewRejection(status: ReviewStatus): ApplicationFailure {
  const message =
    status.state === 'expired'
      ? 'The review expired: nobody decided before the second deadline'
      : `Rejected by ${status.decision?.reviewer ?? 'a reviewer'}${status.decision?.comment ? `: ${status.decision.comment}` : ''}`;
  return ApplicationFailure.create({ type: FailureType.reviewRejected, message, nonRetryable: true, details: [status] });
}

/** A copy for callers: a query or update answer must not share objects with the state that goes on changing. */
function clone(status: ReviewStatus): ReviewStatus {
  return JSON.parse(JSON.stringify(status)) as ReviewStatus;
}
