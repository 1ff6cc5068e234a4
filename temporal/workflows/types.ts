// Inputs, results and progress of the workflows: what a client sends and what it gets back.
import type {
  Category,
  DataRecord,
  Publication,
  EnrichResponse,
  Metadata,
  PingResponse,
  ProcessExternalResponse,
  ProcessInternalResponse,
  ServiceName,
  ThirdPartyRequest,
  ThirdPartyResponse,
  ValidateResponse,
} from '../../shared/api.ts';
import type { WorkflowKind } from './kinds.ts';

/** What both workflows take. Any client may send it (this CLI, `temporal workflow start`, the Web UI),
 *  so input.ts checks every field before anything runs. */
export interface WorkflowInput {
  data: string;
  metadata?: Metadata;
  /**
   * How long a service may be down (or failing) at any step before the run gives up on it with a
   * ServiceUnavailable failure: "30s", "2m", "1h" or milliseconds; 1 s to 1 h, default 2 minutes.
   * The retry backoff itself is not an input: it is the workflow's own policy (retry-policy.ts).
   */
  outageLimit?: string | number;
}

export type ThirdPartyOptions = Omit<ThirdPartyRequest, 'query'>;

export interface MultiServerInput extends WorkflowInput {
  /** When given, the multi-server workflow also calls Server B's simulated third-party API. */
  thirdParty?: ThirdPartyOptions;
}

export type WorkflowName = 'multiServerWorkflow' | 'simpleWorkflow' | 'publishWorkflow' | 'adaptiveWorkflow';

export type StepName =
  | 'validate'
  | 'health-check'
  | 'process-internal'
  | 'process-external'
  | 'enrich'
  | 'third-party'
  | 'combine'
  | 'reserve-record'
  | 'submit-publication'
  | 'confirm-publication'
  | 'commit-record'
  | 'review'
  | 'digest';

/** A saga's compensation, once it has run: what it undid. */
export interface CompensationRecord {
  name: 'withdraw-publication' | 'release-record';
  outcome: 'undone' | 'nothing-to-undo' | 'failed';
  /** The resource it undid (its id), or why it failed. */
  detail: string;
}

export interface StepTiming {
  step: StepName;
  /** Workflow time (deterministic, from the event history), ISO 8601. */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** How the step ended: a saga that completes as rejected has a failed step among its timings. */
  status: 'completed' | 'failed' | 'cancelled';
}

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface StepProgress {
  step: StepName;
  status: StepStatus;
  durationMs: number | null;
}

/** Answer of the `progress` query. */
export interface Progress {
  workflow: WorkflowName;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  currentStep: StepName | null;
  completedSteps: StepName[];
  steps: StepProgress[];
  /** Compensations a saga has run, in the order they ran (empty for the other workflows). */
  compensations: CompensationRecord[];
}

/** What the enrich step gives when Server B's circuit breaker is open (combine.ts, fallbackEnrichment): a
 *  documented default, not an analysis of the data. */
export interface FallbackEnrichment extends Omit<EnrichResponse, 'category' | 'enrichedBy'> {
  category: 'uncategorized';
  enrichedBy: 'fallback';
}

/** Server B's enrichment, or the fallback's. */
export type Enrichment = EnrichResponse | FallbackEnrichment;

/** A step that took its documented fallback instead of its service's answer. */
export interface StepFallback {
  step: StepName;
  service: ServiceName;
  /** The failure it fell back on: the CircuitOpen failure's message. */
  reason: string;
}

export interface MultiServerSummary {
  reference: string;
  category: Category | FallbackEnrichment['category'];
  score: number;
  keywords: string[];
  wordCount: number;
  characterCount: number;
  contentHash: string;
  /** Server B echoed the hash Server A computed: both worked on the same content. */
  hashesMatch: boolean;
  servers: ServiceName[];
  totalDurationMs: number;
}

export interface MultiServerResult {
  workflow: 'multiServerWorkflow';
  input: MultiServerInput;
  health: Record<ServiceName, PingResponse>;
  validation: ValidateResponse;
  internal: ProcessInternalResponse;
  external: ProcessExternalResponse;
  enrichment: Enrichment;
  thirdParty: ThirdPartyResponse | null;
  summary: MultiServerSummary;
  timings: StepTiming[];
  /** The run completed, but some step took its fallback (see fallbacks) instead of its service's answer. */
  degraded: boolean;
  /** The steps that fell back, and why; empty when none did. */
  fallbacks: StepFallback[];
}

export interface SimpleSummary {
  normalized: string;
  wordCount: number;
  characterCount: number;
  contentHash: string;
  servers: ServiceName[];
  totalDurationMs: number;
}

export interface SimpleResult {
  workflow: 'simpleWorkflow';
  input: WorkflowInput;
  validation: ValidateResponse;
  internal: ProcessInternalResponse;
  summary: SimpleSummary;
  timings: StepTiming[];
}

/** The publish saga's input: the common fields, plus the review settings. */
export interface PublishInput extends WorkflowInput {
  /** Ask a person to review even when the review rule (review.ts) would not. */
  review?: boolean;
  /** How long each review wait lasts: at the first deadline the review escalates, at the second it expires (rejected). 1s to 24h, default 5m. */
  reviewDeadline?: string | number;
}

export type ReviewDecisionKind = 'approve' | 'reject';

/** What a reviewer sends (update or signal). */
export interface ReviewDecision {
  decision: ReviewDecisionKind;
  reviewer: string;
  comment?: string;
}

/** The review of one publish run, as the `review` query and the decide update report it. */
export interface ReviewStatus {
  state: 'not-needed' | 'not-yet' | 'pending' | 'escalated' | 'approved' | 'rejected' | 'expired' | 'cancelled';
  /** Why the run asked for a review; null when it did not. */
  reason: string | null;
  requestedAt: string | null;
  /** When the current wait ends: escalation, then expiry. */
  deadline: string | null;
  escalatedAt: string | null;
  decision: (ReviewDecision & { decidedAt: string }) | null;
  /** Signals that could not be applied (bad or late), kept so nobody wonders where a decision went. */
  ignoredSignals: Array<{ reason: string; receivedAt: string }>;
  /** Ignored signals older than the ones kept. */
  ignoredSignalsDropped: number;
}

export interface PublishResult {
  workflow: 'publishWorkflow';
  /** published: every step done. rejected: Server B's rules or a reviewer refused the content (or its review expired); everything was undone. */
  outcome: 'published' | 'rejected';
  input: PublishInput;
  record: DataRecord | null;
  publication: Publication | null;
  /** Why Server B's rules (rule name) or the review (rule "review") refused the content, when they did. */
  rejection: { rule: string; message: string } | null;
  /** The review, when the run needed one. */
  review: ReviewStatus | null;
  compensations: CompensationRecord[];
  timings: StepTiming[];
}

export type WorkflowResult = MultiServerResult | SimpleResult | PublishResult | AdaptiveResult;

// ---- batchWorkflow (batch.ts): many inputs, one child workflow each, a bounded number at a time ----

/** The workflow each item of a batch runs as, by its kind in kinds.ts. */
export type BatchKind = WorkflowKind;

/** One item of a batch: the fields of any kind's input; the batch's kind decides which are allowed. */
export type BatchItem = MultiServerInput & PublishInput;

/** What a client sends to start a batch. input.ts (batchInputIssues) checks every field, and every item. */
export interface BatchInput {
  kind: BatchKind;
  /** One child workflow per item, each the input of that kind's workflow (input.ts checks which fields it takes). */
  items: BatchItem[];
  /** How many children may run at once (default and bounds: BATCH_LIMITS in input.ts). */
  maxConcurrent?: number;
  /** Children one run starts before it continues as new, once they have all finished (BATCH_LIMITS). */
  continueAsNewAfter?: number;
}

/** An item's child and how it ended, when it did not succeed. */
export interface BatchItemProblem {
  /** The item's position in the batch as the client sent it (0-based). */
  index: number;
  childId: string;
  /** The failure type (ValidationFailed, ServiceUnavailable, Cancelled, …), or PublishRejected for a saga
   *  that completed as rejected. */
  type: string;
  reason: string;
}

export interface BatchItemSucceeded {
  index: number;
  childId: string;
}

/** What a batch returns: every item, by how its child ended. A child's failure is part of the result. */
export interface BatchResult {
  workflow: 'batchWorkflow';
  kind: BatchKind;
  total: number;
  /** Runs of the batch, the first included: it continued as new `runs - 1` times. */
  runs: number;
  /** Completed (for publish: published). */
  succeeded: BatchItemSucceeded[];
  /** A business outcome: Server A found the data invalid, the input was refused, or Server B's rules
   *  refused the content (the saga completed as rejected and undid everything). */
  rejected: BatchItemProblem[];
  /** Anything else: a service down past the outage limit, a cancelled or terminated child, … */
  failed: BatchItemProblem[];
}

/** Answer of the `batchProgress` query; counts cover the whole batch, across continue-as-new. */
export interface BatchProgress {
  workflow: 'batchWorkflow';
  /** continued-as-new: this run handed over to the next one (a query by workflow id reaches the newest). */
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'continued-as-new';
  kind: BatchKind | null;
  total: number;
  /** Children started so far: finished ones plus the running ones. */
  started: number;
  succeeded: number;
  rejected: number;
  failed: number;
  running: number;
  maxConcurrent: number;
  /** Runs so far, this one included (1 until the batch first continues as new). */
  runs: number;
}

// ---- adaptiveWorkflow (adaptive.ts): a plan that grows from the data, by the rules of adaptive-plan.ts ----

/** The steps an adaptive run can plan. */
export type AdaptiveStep = Extract<StepName, 'validate' | 'enrich' | 'process-internal' | 'process-external' | 'third-party' | 'digest'>;

/** One step of an adaptive run's plan, and the decision that put it there. */
export interface PlannedStep {
  step: AdaptiveStep;
  /** Why it was planned, in words: "every run", "category commerce", "24 words (20+)". */
  reason: string;
}

/** What an adaptive run returns; a step's result is null when the plan did not include the step. */
export interface AdaptiveResult {
  workflow: 'adaptiveWorkflow';
  input: WorkflowInput;
  /** Every step that ran, in the order it ran (and was planned). */
  plan: PlannedStep[];
  validation: ValidateResponse;
  enrichment: EnrichResponse;
  internal: ProcessInternalResponse | null;
  external: ProcessExternalResponse | null;
  thirdParty: ThirdPartyResponse | null;
  /** Server A's processing of the enrichment's keywords: a short form of a long text, and its hash. */
  digest: ProcessInternalResponse | null;
  totalDurationMs: number;
  timings: StepTiming[];
}
