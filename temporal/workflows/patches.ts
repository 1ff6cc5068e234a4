// Every change to what the workflows schedule, behind a patch id: runs from before the change replay the old
// path. Each id's lifecycle (patched → deprecatePatch → removed), and when to record a history: docs/versioning.md.
import { deprecatePatch, patched } from '@temporalio/workflow';

export const PATCHES = {
  /** The runs keep the DataCategory and CurrentStep search attributes up to date. */
  searchAttributes: 'upsert-search-attributes-v1',
  /** The publish saga waits for a reviewer when the data meets the review rule. */
  review: 'publish-review-v1',
  /** A review cancelled while waiting publishes ReviewState "cancelled" instead of staying "pending". */
  reviewCancelledState: 'review-cancelled-state-v1',
  /** Each service's calls go to that service's task queue instead of the workflow's own. */
  serviceQueues: 'per-service-task-queues-v1',
  /** Where a run is shows in its current details, not in a CurrentStep upsert per step; CurrentStep names only
   *  where a run stopped (the step it failed at, or "review" while a person is asked). Implies the two above. */
  currentDetails: 'current-details-v1',
} as const;

export type PatchId = (typeof PATCHES)[keyof typeof PATCHES];

const MULTI_SIMPLE_PUBLISH = ['multiServerWorkflow', 'simpleWorkflow', 'publishWorkflow'];
const WITH_ADAPTIVE = [...MULTI_SIMPLE_PUBLISH, 'adaptiveWorkflow'];

/** The workflow types that ran the old path of each patch: only they ask it (and record a marker); a type
 *  written later takes the new path without asking. Adaptive asked upsert-search-attributes-v1 from its first
 *  version, so its runs carry that marker and keep asking. test/replay.test.ts wants a history of these types
 *  recorded before each patch and one with it. */
export const PATCHED_WORKFLOWS: Record<PatchId, readonly string[]> = {
  [PATCHES.searchAttributes]: WITH_ADAPTIVE,
  [PATCHES.review]: ['publishWorkflow'],
  [PATCHES.reviewCancelledState]: ['publishWorkflow'],
  [PATCHES.serviceQueues]: MULTI_SIMPLE_PUBLISH,
  [PATCHES.currentDetails]: WITH_ADAPTIVE,
};

/** Markers a type recorded for a patch whose old path it never had: the interceptors of 2026-12-07 asked every
 *  type. deprecatePatch() accepts a run with or without one. */
const STRAY_MARKERS: Partial<Record<PatchId, readonly string[]>> = { [PATCHES.serviceQueues]: ['adaptiveWorkflow'] };

/** The patches before current-details-v1. A run that took it started after all of them: it takes them without
 *  asking, so a new run records one marker (and one TemporalChangeVersion write), not five. */
const BEFORE_CURRENT_DETAILS = new Set<PatchId>([PATCHES.searchAttributes, PATCHES.review, PATCHES.reviewCancelledState, PATCHES.serviceQueues]);
/** Per run: the SDK gives every workflow execution its own copy of each module. */
let afterEarlierPatches = false;

/** Whether this run takes the path of `id`: the one place the workflows ask. `workflowType` for the patches the
 *  interceptors ask for every workflow. */
export function takesPatch(id: PatchId, workflowType?: string): boolean {
  if (afterEarlierPatches && BEFORE_CURRENT_DETAILS.has(id)) return true;
  const taken = ask(id, workflowType);
  if (taken && id === PATCHES.currentDetails) afterEarlierPatches = true;
  return taken;
}

function ask(id: PatchId, workflowType: string | undefined): boolean {
  if (workflowType === undefined) return patched(id);
  if (STRAY_MARKERS[id]?.includes(workflowType)) {
    deprecatePatch(id);
    return true;
  }
  return PATCHED_WORKFLOWS[id].includes(workflowType) ? patched(id) : true;
}
