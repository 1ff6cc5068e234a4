// Vitest global setup: runs once in the main process, before any test file.
import type { TestProject } from 'vitest/node';
import { findTemporal, type TemporalTarget } from './find-temporal.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: TemporalTarget;
  }
}

export default async function setup(project: TestProject) {
  const found = await findTemporal();
  project.provide('temporal', found.target);
  const line = found.target.available ? `Temporal for tests: ${found.target.source}` : `Temporal for tests: none (${found.target.reason})`;
  process.stdout.write(`${line}\n`);
  return () => found.teardown();
}
