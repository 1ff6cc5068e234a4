// What a person searches runs by: the workflows upsert them, `client.ts list` and the Web UI query them, and
// start-up registers them (search-attributes-registration.ts). Keywords: exact values, cheap to filter on.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The category Server B's enrichment gave the data ("greeting", "order", …). */
export const DATA_CATEGORY = defineSearchAttributeKey('DataCategory', SearchAttributeType.KEYWORD);
/** The step running now; "done" once the run finished its steps. */
export const CURRENT_STEP = defineSearchAttributeKey('CurrentStep', SearchAttributeType.KEYWORD);
/** The publish saga's review: pending, escalated, approved, rejected, expired, cancelled (unset: none asked). */
export const REVIEW_STATE = defineSearchAttributeKey('ReviewState', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [DATA_CATEGORY, CURRENT_STEP, REVIEW_STATE] as const;
