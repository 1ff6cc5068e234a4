// What the test files of the services' HTTP APIs (records, publications, idempotency) share: fresh
// Idempotency-Keys, the JSON error answers they expect, the services a file starts and stops, and the
// real entry point (server-a/index.ts or server-b/index.ts) run as a process on a database file.
// Vitest hooks and expect live here, so unlike services.ts this is for test files only.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { ErrorBody, ServiceName } from '../../shared/contract.ts';
import type { RunningService } from '../../shared/service/serve.ts';
import { startNode, type LongRunning } from './processes.ts';
import { type Answer, call } from './services.ts';

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const newKey = () => `test-${randomUUID()}`;

/** The body of an error answer. */
export const error = (code: string, message: string, field?: string): ErrorBody => ({
  error: { code, message, ...(field && { field }) } as ErrorBody['error'],
});

export function expectError<T>(res: Answer<T>, status: number, body: ErrorBody): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual(body);
}

/** A wrong method on a known path: 405, the Allow header, and the JSON error naming both. */
export async function expectMethodNotAllowed(server: RunningService, method: string, path: string, allow: string): Promise<void> {
  const res = await call(server, method, path, { key: newKey() });
  expect(res.status).toBe(405);
  expect(res.headers.get('allow')).toBe(allow);
  expect(res.body).toEqual(error('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${allow}`));
}

/**
 * The services of a test file: `server`, started before the file's tests and stopped after them, for
 * the tests that only look at their own data; `freshServer()`, a service of the test's own for the
 * tests that count everything, stopped after that test.
 */
export function servicesOfFile(start: () => Promise<RunningService>): { server: RunningService; freshServer: () => Promise<RunningService> } {
  // Filled in by beforeAll; an object the tests can hold from the start, as the service is not running yet.
  const server = {} as RunningService;
  const extra: RunningService[] = [];

  beforeAll(async () => {
    Object.assign(server, await start());
  });

  afterEach(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await server.close();
  });

  async function freshServer(): Promise<RunningService> {
    const service = await start();
    extra.push(service);
    return service;
  }

  return { server, freshServer };
}

/** A temporary directory for the tests of the describe block that calls this: made before them, removed after them. */
export function temporaryDirectory(prefix: string): () => string {
  let directory: string | undefined;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), prefix));
  });

  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  return () => directory!;
}

const ENTRY_POINTS: Record<ServiceName, { script: string; database: string; port: string }> = {
  'server-a': { script: 'server-a/index.ts', database: 'SERVER_A_DB', port: 'SERVER_A_PORT' },
  'server-b': { script: 'server-b/index.ts', database: 'SERVER_B_DB', port: 'SERVER_B_PORT' },
};

/**
 * Starts `node <service>/index.ts` on `database` and a free port, with the fault knob off unless `env`
 * turns it on; resolves once it listens. For afterEach: killLeftovers of processes.ts.
 */
export async function startProcess(
  service: ServiceName,
  database: string,
  env: Record<string, string> = {},
): Promise<{ process: LongRunning; service: { url: string } }> {
  const entry = ENTRY_POINTS[service];
  const child = startNode(entry.script, [], { [entry.database]: database, [entry.port]: '0', LOG_LEVEL: 'info', FAULT_AFTER_APPLY: '', ...env });
  await child.waitFor('"msg":"listening"');
  const line = child
    .output()
    .split('\n')
    .map((l) => (l.startsWith('{') ? (JSON.parse(l) as { msg?: string; url?: string }) : {}))
    .find((l) => l.msg === 'listening');
  return { process: child, service: { url: line!.url! } };
}

/** SIGTERM, and the process must exit 0. */
export async function stop(child: LongRunning): Promise<void> {
  process.kill(child.pid, 'SIGTERM');
  expect(await child.exited).toBe(0);
}
