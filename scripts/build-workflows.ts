// npm run build:workflows: bundles the workflow code into .build/ ahead of time (an image build, a deploy step);
// never required: the worker does it itself whenever the kept bundle is stale (temporal/worker/workflow-bundle.ts).
import { DefaultLogger } from '@temporalio/worker';
import { loadConfig, orExit } from '../shared/config.ts';
import { tracesOn } from '../shared/tracing/setup.ts';
import { BUNDLE_DIR, buildWorkflowBundle } from '../temporal/worker/workflow-bundle.ts';

const config = orExit(loadConfig);
const tracing = tracesOn(config.traces);
const started = performance.now();
const encryption = config.codec.keys.length > 0;
const code = await buildWorkflowBundle({ tracing, encryption, logger: new DefaultLogger('WARN') });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const variant = [tracing && 'tracing', encryption && 'encryption'].filter(Boolean).join(' and ');
console.log(`Workflow bundle${variant ? ` (with ${variant})` : ''}: ${(code.length / 1024 / 1024).toFixed(1)} MiB in ${BUNDLE_DIR}, made in ${seconds} s.`);
