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

export type WorkflowName = 'multiServerWorkflow' | 'simpleWorkflow' | 'publishWorkflow';

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
  | 'commit-record';

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

export interface MultiServerSummary {
  reference: string;
  category: Category;
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
  enrichment: EnrichResponse;
  thirdParty: ThirdPartyResponse | null;
  summary: MultiServerSummary;
  timings: StepTiming[];
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

export interface PublishResult {
  workflow: 'publishWorkflow';
  /** published: every step done. rejected: Server B's rules refused the content; everything was undone. */
  outcome: 'published' | 'rejected';
  input: WorkflowInput;
  record: DataRecord | null;
  publication: Publication | null;
  /** Why Server B refused the content, when it did. */
  rejection: { rule: string; message: string } | null;
  compensations: CompensationRecord[];
  timings: StepTiming[];
}

export type WorkflowResult = MultiServerResult | SimpleResult | PublishResult;
