// The SDK's log lines as the worker writes them (temporal/worker/runtime.ts): credentials dropped, and
// what a worker's role makes normal kept out of its warnings.
import { expect, test } from 'vitest';
import type { Logger } from '../shared/logger.ts';
import { sdkLoggerFrom } from '../temporal/worker/runtime.ts';

function recorder() {
  const lines: Array<{ level: string; fields: unknown; message: string }> = [];
  const at = (level: string) => (fields: unknown, message: string) => void lines.push({ level, fields, message });
  const logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger;
  return { lines, sdk: sdkLoggerFrom(logger) };
}

test("drops the activity's task token, keeps the other fields, and names an Error err", () => {
  const { lines, sdk } = recorder();
  const error = new Error('boom');
  sdk.warn('Activity failed', { taskToken: 'c2VjcmV0', activityType: 'enrichData', failure: error });
  expect(lines).toEqual([{ level: 'warn', fields: { activityType: 'enrichData', err: error }, message: 'Activity failed' }]);
});

test("a service's worker polling no workflows is by design: the SDK's warning becomes a debug line, other warnings stay", () => {
  const { lines, sdk } = recorder();
  sdk.warn('No workflows registered, not polling for workflow tasks');
  sdk.warn('No activities registered, not polling for activity tasks');
  expect(lines.map((l) => [l.level, l.message])).toEqual([
    ['debug', 'No workflows registered, not polling for workflow tasks'],
    ['warn', 'No activities registered, not polling for activity tasks'],
  ]);
});
