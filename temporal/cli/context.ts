// What every verb of the client gets (a connected client, the configuration, its two outputs), and the one way a verb says no.
import { Client, Connection } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import type { Config } from '../../shared/config.ts';
import { tracesOn } from '../../shared/tracing/setup.ts';
import { dataConverterFor } from '../codec/data-converter.ts';
import { connectionOptions } from '../connection-options.ts';
import { probeTcp } from '../probe-tcp.ts';
import { START_TEMPORAL_HINT } from '../wait-for-temporal.ts';
import { EXIT, type ExitCode } from './args.ts';

export interface CommandContext {
  client: Client;
  connection: Connection;
  config: Config;
  json: boolean;
  /** Where `say` writes; a progress bar is redrawn in place on a terminal only. */
  screen: { isTTY: boolean; write: (text: string) => void };
  /** For people: on stderr with --json, where stdout carries only the JSON outcome that `out` prints. */
  say: (line?: string) => void;
  out: (value: unknown) => void;
}

/** A TCP probe first: a refused port is known at once, where the gRPC connect would wait for its deadline. */
export async function connectCli(config: Config, json: boolean): Promise<CommandContext | { failed: ExitCode; message: string }> {
  const { address, namespace } = config.temporal;
  const unreachable = (why: string) => ({ failed: EXIT.couldNotStart, message: `Cannot reach Temporal at ${address}: ${why}\n${START_TEMPORAL_HINT}` });
  const probe = await probeTcp(address);
  if (probe !== 'open') return unreachable(`${probe}.`);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions(config.temporal), connectTimeout: '5s' });
  } catch (error) {
    return unreachable((error as Error).message.split('\n')[0]!);
  }
  const client = new Client({
    connection,
    namespace,
    dataConverter: dataConverterFor(config.codec.keys),
    // With traces on, a start is the root span of the run's trace; loaded only then, as they slow every start (docs/performance.md).
    ...(tracesOn(config.traces) && { interceptors: (await import('../tracing.ts')).clientTracing() }),
  });
  const screen = json ? process.stderr : process.stdout;
  return {
    client,
    connection,
    config,
    json,
    screen,
    say: (line = '') => screen.write(`${line}\n`),
    out: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** Says why a request is refused on stderr (with --json, also as `{ error }` on stdout) and returns the exit code. */
export function refuse(ctx: CommandContext, code: ExitCode, message: string, kind?: string): ExitCode {
  process.stderr.write(`${message}\n`);
  if (ctx.json) ctx.out({ error: kind ? { kind, message } : { message } });
  return code;
}

/** Temporal said no to `what` ("start the workflow"): a namespace that does not exist is the user's configuration to fix. */
export function temporalRefused(ctx: CommandContext, error: unknown, what: string): ExitCode {
  const { address, namespace } = ctx.config.temporal;
  if (error instanceof NamespaceNotFoundError) {
    return refuse(ctx, EXIT.usage, `Namespace "${namespace}" does not exist on ${address}: check TEMPORAL_NAMESPACE.`, 'NamespaceNotFound');
  }
  return refuse(ctx, EXIT.couldNotStart, `Could not ${what}: ${(error as Error).message.split('\n')[0]}`, 'TemporalError');
}
