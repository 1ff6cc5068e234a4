// Inputs, results and progress of the workflows: what the CLI sends and what it gets back.
import type { Duration } from '@temporalio/common';
import type {
  Category,
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

/** Shortens the retry backoff, for tests and demos; production runs use the defaults. */
export interface RetryTuning {
  initialInterval?: Duration;
  maximumInterval?: Duration;
}

export interface WorkflowInput {
  data: string;
  metadata?: Metadata;
  /** When given, the multi-server workflow also calls Server B's simulated third-party API. */
  thirdParty?: Omit<ThirdPartyRequest, 'query'>;
  retry?: RetryTuning;
}

export type WorkflowName = 'multiServerWorkflow' | 'simpleWorkflow';

export type StepName = 'health-check' | 'validate' | 'process-internal' | 'process-external' | 'enrich' | 'third-party' | 'combine';

export interface StepTiming {
  step: StepName;
  /** Workflow time (deterministic, from the event history), ISO 8601. */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface StepProgress {
  step: StepName;
  status: StepStatus;
  durationMs: number | null;
}

/** Answer of the `progress` query. */
export interface Progress {
  workflow: WorkflowName;
  status: 'running' | 'completed' | 'failed';
  currentStep: StepName | null;
  completedSteps: StepName[];
  steps: StepProgress[];
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
  input: WorkflowInput;
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

export type WorkflowResult = MultiServerResult | SimpleResult;
