// Vitest global setup: runs once in the main process, before any test file.
import { Connection } from '@temporalio/client';
import type { TestProject } from 'vitest/node';
import { ensureSearchAttributes } from '../../temporal/search-attributes-registration.ts';
import { findTemporal, type TemporalTarget } from './find-temporal.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: TemporalTarget;
  }
}

export default async function setup(project: TestProject) {
  const found = await findTemporal(process.env, (line) => process.stdout.write(`${line}\n`));
  if (!found.target.available && process.env.TEMPORAL_REQUIRED === '1') {
    // CI: a run without a Temporal server proves nothing about the workflows, so it must not pass.
    throw new Error(`TEMPORAL_REQUIRED=1, but there is no Temporal server for the tests:\n${found.target.reason}`);
  }
  if (found.target.available) {
    // As the worker does at start-up: the workflows upsert these, and an unregistered one fails their tasks.
    const connection = await Connection.connect({ address: found.target.address });
    await ensureSearchAttributes(connection, found.target.namespace);
    await connection.close();
  }
  project.provide('temporal', found.target);
  const line = found.target.available ? `Temporal for tests: ${found.target.source}` : `Temporal for tests: none (${found.target.reason})`;
  process.stdout.write(`${line}\n`);
  return () => found.teardown();
}
