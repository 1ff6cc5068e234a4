// The client's connection for any verb: a quick TCP probe first (a refused port is known at once, where
// the gRPC connect would wait for its deadline), then the real connection with the project's TLS and
// data converter. Failing, it says why and how to fix it, and gives the exit code to end with.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../shared/config.ts';
import { tracesOn } from '../../shared/tracing/setup.ts';
import { dataConverterFor } from '../codec/data-converter.ts';
import { connectionOptions } from '../connection-options.ts';
import { probeTcp } from '../probe-tcp.ts';
import { clientTracing } from '../tracing.ts';
import type { CommandContext } from './context.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

const HINT = 'Start it with "npm run temporal:dev" (no Docker) or "npm run temporal:start" (Docker), or set TEMPORAL_ADDRESS.';

export async function connectCli(config: Config, json: boolean): Promise<CommandContext | { failed: ExitCode; message: string }> {
  const { address, namespace } = config.temporal;
  const probe = await probeTcp(address);
  if (probe !== 'open') return { failed: EXIT.couldNotStart, message: `Cannot reach Temporal at ${address}: ${probe}.\n${HINT}` };
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions(config.temporal), connectTimeout: '5s' });
  } catch (error) {
    return { failed: EXIT.couldNotStart, message: `Cannot reach Temporal at ${address}: ${(error as Error).message.split('\n')[0]}\n${HINT}` };
  }
  const client = new Client({
    connection,
    namespace,
    dataConverter: dataConverterFor(config.codec.keys),
    // With traces on (client.ts starts them), a start is the root span of the run's trace.
    ...(tracesOn(config.traces) && { interceptors: clientTracing() }),
  });
  return {
    client,
    connection,
    config,
    json,
    // With --json, stdout carries only the outcome; everything for people goes to stderr.
    say: (line = '') => (json ? process.stderr : process.stdout).write(`${line}\n`),
    out: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}
