// The publish saga's human in the loop: a reviewer approves or rejects a submitted publication before
// it is confirmed. The decision arrives as an Update (validated, answered) or a Signal (fire-and-forget);
// the `review` query shows the state. Each wait is a durable timer: at the first deadline the review
// escalates once (a reminder in its state and the logs), at the second it expires, which rejects.
import { ApplicationFailure } from '@temporalio/common';
import { condition, isCancellation, log, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { ProcessInternalResponse } from '../../shared/api.ts';
import { FailureType } from '../failure-types.ts';
import { decideSignal, decideUpdate, reviewQuery } from './messages.ts';
import { PATCHES, takesPatch } from './patches.ts';
import { REVIEW_STATE } from './search-attributes.ts';
import type { ReviewDecision, ReviewStatus } from './types.ts';

/** Words that make a text need a person's eyes before it is published. */
export const REVIEW_WORDS = ['refund', 'urgent', 'legal', 'lawsuit', 'confidential'] as const;
/** Longer texts are reviewed too. */
export const REVIEW_WORD_LIMIT = 40;
export const REVIEWER_MAX_LENGTH = 100;
export const COMMENT_MAX_LENGTH = 1_000;
/** Ignored signals kept in the review (the newest); the rest are only counted. Any sender may send any number. */
export const IGNORED_SIGNALS_KEPT = 10;

/** A caller's value in a message about it: never more than a few dozen characters of it. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * The review rule, on Server A's analysis of the data (deterministic: the same result, the same answer
 * on every replay). Returns why a review is needed, or null.
 */
export function reviewReason(internal: ProcessInternalResponse, requested: boolean): string | null {
  if (requested) return 'the client asked for a review';
  const words = internal.normalized.split(' ');
  const word = REVIEW_WORDS.find((w) => words.includes(w));
  if (word) return `the text mentions "${word}"`;
  if (internal.wordCount > REVIEW_WORD_LIMIT) return `the text is long (${internal.wordCount} words; over ${REVIEW_WORD_LIMIT} are reviewed)`;
  return null;
}

/** Every problem with a decision as a caller sent it (any JSON: the Web UI and `temporal` CLI can send anything). */
export function decisionProblems(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return ['the decision must be a JSON object such as {"decision": "approve", "reviewer": "ada"}'];
  const { decision, reviewer, comment, ...rest } = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (decision !== 'approve' && decision !== 'reject') problems.push(`"decision" must be "approve" or "reject", got ${quoted(decision)}`);
  if (typeof reviewer !== 'string' || reviewer.trim() === '' || reviewer.length > REVIEWER_MAX_LENGTH) {
    problems.push(`"reviewer" must name the reviewer (1 to ${REVIEWER_MAX_LENGTH} characters)`);
  }
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > COMMENT_MAX_LENGTH)) {
    problems.push(`"comment" must be text of at most ${COMMENT_MAX_LENGTH} characters when given`);
  }
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    problems.push(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 3).map(quoted).join(', ')}${unknown.length > 3 ? ', …' : ''}; a decision takes decision, reviewer, comment`,
    );
  return problems;
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
    setHandler(
      decideUpdate,
      (decision) => {
        this.decide(decision);
        return clone(this.status);
      },
      {
        validator: (decision) => {
          const problem = this.refusal(decision);
          if (problem) throw ApplicationFailure.create({ type: FailureType.decisionRefused, message: problem, nonRetryable: true });
        },
      },
    );
    setHandler(decideSignal, (decision) => {
      const problem = this.refusal(decision);
      if (!problem) return this.decide(decision);
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
      return await this.waitTwice(decided, deadlineMs, reason);
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

  private async waitTwice(decided: () => boolean, deadlineMs: number, reason: string): Promise<'approve' | 'reject' | 'expired'> {
    const now = () => new Date().toISOString();
    if (!(await condition(decided, deadlineMs))) {
      Object.assign(this.status, { state: 'escalated', escalatedAt: now(), deadline: new Date(Date.now() + deadlineMs).toISOString() });
      this.publishState();
      log.warn('review escalated: no decision by the deadline', { reason, nextDeadline: this.status.deadline });
      if (!(await condition(decided, deadlineMs))) {
        Object.assign(this.status, { state: 'expired', deadline: null });
        this.publishState();
        return 'expired';
      }
    }
    return this.status.decision!.decision;
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

  private decide(decision: ReviewDecision): void {
    const { decision: kind, reviewer, comment } = decision;
    this.status.decision = { decision: kind, reviewer: reviewer.trim(), ...(comment ? { comment } : {}), decidedAt: new Date().toISOString() };
    this.status.state = kind === 'approve' ? 'approved' : 'rejected';
    this.status.deadline = null;
    this.publishState();
  }

  /** The ReviewState search attribute follows the state, so pending reviews can be listed. */
  private publishState(): void {
    upsertSearchAttributes([{ key: REVIEW_STATE, value: this.status.state }]);
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
