// Every message the workflows answer, defined once: the workflows set their handlers with these
// objects, and the CLI and the tests send them with the same objects (no names typed twice).
import { defineQuery } from '@temporalio/workflow';
import type { Progress } from './types.ts';

/** Which steps have run, which is running, and how the run stands. */
export const progressQuery = defineQuery<Progress>('progress');
