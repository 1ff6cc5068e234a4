// What every route of the workflow API gets: the link to Temporal, and where runs are started and looked up.
import type { TemporalLink } from './temporal-link.ts';

export interface ApiContext {
  temporal: TemporalLink;
  namespace: string;
  /** The task queue new runs are started on: the one the worker polls for workflows. */
  taskQueue: string;
}
