// The worker's workflowsPath: every workflow the worker runs is exported here. This file and what
// it imports are bundled into Temporal's deterministic sandbox, so nothing here may do I/O.
export { multiServerWorkflow } from './multi-server.ts';
export { simpleWorkflow } from './simple.ts';
export { publishWorkflow } from './publish.ts';
export { batchWorkflow } from './batch.ts';
export { adaptiveWorkflow } from './adaptive.ts';
