// A CommandContext (temporal/cli/context.ts) for calling a verb's function in a test: the suite's client,
// a configuration pointing at the suite's server and the test's task queue, and everything the verb
// says, prints as JSON or writes to stderr kept for the test to read.
import type { Client, Connection } from '@temporalio/client';
import { vi } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import type { CommandContext } from '../../temporal/cli/context.ts';
import { temporalEnv } from './temporal.ts';

export interface RecordingContext extends CommandContext {
  lines: string[];
  /** What was written to the screen other than by `say` (a progress bar's lines). */
  drawn: string[];
  outputs: unknown[];
  /** What the verb wrote to stderr (its refusals). */
  errors: string[];
  /** The last value printed with --json. */
  lastOut: <T = Record<string, unknown>>() => T;
}

export function recordingContext(client: Client, taskQueue: string, json = true): RecordingContext {
  const lines: string[] = [];
  const outputs: unknown[] = [];
  const drawn: string[] = [];
  return {
    client,
    // connectToTemporal() makes the client from a Connection; the type only says ConnectionLike.
    connection: client.connection as Connection,
    config: loadConfig(temporalEnv(taskQueue)),
    json,
    screen: { isTTY: false, write: (text) => drawn.push(text) },
    say: (line = '') => lines.push(line),
    out: (value) => outputs.push(JSON.parse(JSON.stringify(value))),
    lines,
    drawn,
    outputs,
    errors: [],
    lastOut: <T>() => outputs.at(-1) as T,
  };
}

/** Runs one verb with stderr captured into `ctx.errors`; resolves with its exit code. */
export async function runVerb(ctx: RecordingContext, verb: () => Promise<number>): Promise<number> {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    ctx.errors.push(String(chunk));
    return true;
  });
  try {
    return await verb();
  } finally {
    spy.mockRestore();
  }
}
