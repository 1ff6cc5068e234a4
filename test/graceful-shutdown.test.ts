// The services' entry points stop gracefully on SIGTERM/SIGINT: requests in flight finish, a body still
// trickling in is refused, the process exits 0 within the grace time; bad configuration exits 2.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import type { StatusResponse } from '../shared/contract.ts';
import type { ThirdPartyResponse } from '../server-b/contract.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

type LogLine = Record<string, unknown>;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Child {
  process: ChildProcess;
  /** stdout, one parsed JSON object per line. */
  lines: LogLine[];
  stderr: () => string;
  /** Resolves once the process has exited and its output is fully read. */
  closed: Promise<Exit>;
  waitForLine: (predicate: (line: LogLine) => boolean, timeoutMs?: number) => Promise<LogLine>;
}

const children: Child[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await child.closed;
  }
});

function startEntryPoint(entry: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: proc.stdout }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      lines.push({ unparsed: text });
    }
  });
  const closed = new Promise<Exit>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  let exited = false;
  void closed.then(() => (exited = true));

  const waitForLine = async (predicate: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(predicate);
      if (found) return found;
      if (exited) throw new Error(`process exited before the expected line; stdout: ${JSON.stringify(lines)} stderr: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no matching line within ${timeoutMs} ms; stdout: ${JSON.stringify(lines)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const child: Child = { process: proc, lines, stderr: () => stderr, closed, waitForLine };
  children.push(child);
  return child;
}

async function listeningPort(child: Child): Promise<number> {
  const line = await child.waitForLine((l) => l.msg === 'listening');
  expect(line.port).toEqual(expect.any(Number));
  return line.port as number;
}

/** Polls GET /status until `endpoint` has `count` requests in flight (the service's own count, not a guess by time). */
async function untilInFlight(port: number, endpoint: string, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as StatusResponse;
    if (status.endpoints[endpoint]?.inFlight === count) return;
    if (Date.now() > deadline) throw new Error(`${endpoint} never had ${count} request(s) in flight: ${JSON.stringify(status.endpoints)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** 'connected', or the error code of a failed TCP connect. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('server-b/index.ts on SIGTERM', () => {
  test('finishes the request in flight, refuses new connections, and exits 0', async () => {
    const child = startEntryPoint('server-b/index.ts', {
      SERVER_B_PORT: '0',
      SERVICE_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      THIRD_PARTY_FAILURE_RATE: '0',
    });
    const port = await listeningPort(child);
    expect(await tryConnect(port)).toBe('connected');

    const inFlight = fetch(`http://127.0.0.1:${port}/third-party-api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'in flight', latencyMs: 800 }),
    });
    await untilInFlight(port, 'POST /third-party-api', 1);
    child.process.kill('SIGTERM');

    await child.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('stopping') && l.signal === 'SIGTERM');
    expect(await tryConnect(port)).toBe('ECONNREFUSED');

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual({
      provider: 'simulated-third-party',
      query: 'in flight',
      answer: { reversed: 'thgilf ni', length: 9 },
      latencyMs: 800,
      answeredAt: expect.any(String),
    } satisfies Record<keyof ThirdPartyResponse, unknown>);

    expect(await child.closed).toEqual({ code: 0, signal: null });
    expect(child.lines.map((l) => l.msg)).toContain('stopped');
    expect(child.lines).toContainEqual(expect.objectContaining({ msg: 'request', path: '/third-party-api', status: 200 }));
  });
});

describe('server-a/index.ts on SIGTERM while a client trickles its request body', () => {
  test('answers that request 503 SHUTTING_DOWN at once and exits 0, not after the whole grace time with 1', async () => {
    const child = startEntryPoint('server-a/index.ts', { SERVER_A_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    const port = await listeningPort(child);
    // Headers and half of the announced body, then nothing more: the rest never comes.
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('POST /process-internal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"data":"slo');
    await untilInFlight(port, 'POST /process-internal', 1);

    child.process.kill('SIGTERM');

    expect(await child.closed).toEqual({ code: 0, signal: null });
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'SHUTTING_DOWN', message: 'The service is stopping; retry shortly' },
    });
    expect(child.lines.map((l) => l.msg)).toContain('stopped');
    expect(child.lines.map((l) => l.msg)).not.toContain('grace time ran out; remaining connections were closed');
  });
});

describe('server-a/index.ts on SIGINT', () => {
  test('serves a request, then stops cleanly with exit code 0 and a "stopped" line', async () => {
    const child = startEntryPoint('server-a/index.ts', { SERVER_A_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    const port = await listeningPort(child);

    const res = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ service: 'server-a', status: 'ok' });

    child.process.kill('SIGINT');

    expect(await child.closed).toEqual({ code: 0, signal: null });
    expect(child.lines).toContainEqual(expect.objectContaining({ service: 'server-a', signal: 'SIGINT' }));
    expect(child.lines.at(-1)).toMatchObject({ service: 'server-a', level: 30, msg: 'stopped' });
    expect(child.stderr()).toBe('');
  });
});

describe('a signal right after the "listening" line', () => {
  test('is handled as a graceful stop, not the default kill', async () => {
    const child = startEntryPoint('server-b/index.ts', { SERVER_B_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    await listeningPort(child);

    child.process.kill('SIGTERM');

    expect(await child.closed).toEqual({ code: 0, signal: null });
    expect(child.lines.map((l) => l.msg)).toEqual(['listening', 'stopping: no new connections, finishing requests in flight', 'stopped']);
  });
});

describe('bad configuration', () => {
  test('SERVER_A_PORT=abc makes server-a exit with code 2 naming the variable', async () => {
    const child = startEntryPoint('server-a/index.ts', { SERVER_A_PORT: 'abc', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'info' });

    expect(await child.closed).toEqual({ code: 2, signal: null });
    expect(child.stderr()).toContain('SERVER_A_PORT must be a whole number from 0 to 65535 (got "abc")');
    expect(child.stderr()).toContain('See .env.example');
    expect(child.lines).toEqual([]);
  });
});
