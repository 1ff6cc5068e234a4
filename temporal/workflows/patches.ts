// Every change to what the workflows schedule, behind a patch id: runs from before the change replay the old
// path. Each id's lifecycle (patched → deprecatePatch → removed): docs/versioning.md.
import { patched } from '@temporalio/workflow';

export const PATCHES = {
  /** The runs keep the DataCategory and CurrentStep search attributes up to date. */
  searchAttributes: 'upsert-search-attributes-v1',
  /** The publish saga waits for a reviewer when the data meets the review rule. */
  review: 'publish-review-v1',
  /** A review cancelled while waiting publishes ReviewState "cancelled" instead of staying "pending". */
  reviewCancelledState: 'review-cancelled-state-v1',
  /** Each service's calls go to that service's task queue instead of the workflow's own. */
  serviceQueues: 'per-service-task-queues-v1',
} as const;

type PatchId = (typeof PATCHES)[keyof typeof PATCHES];

/** Whether this run takes the path of `id`; the one place the workflows ask, so a test can force the answer. */
export function takesPatch(id: PatchId): boolean {
  return patched(id);
}
