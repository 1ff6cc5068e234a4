// Command-line arguments of temporal/client.ts.
import { parseArgs } from 'node:util';

export const MODES = ['multi', 'simple'] as const;
export type Mode = (typeof MODES)[number];

/** Sent when no data argument is given. */
export const SAMPLE_DATA = 'Hello from the Temporal multi-server demo';

export const USAGE = `Usage: node temporal/client.ts [data] [multi|simple] [options]

Starts a workflow on the task queue TEMPORAL_TASK_QUEUE and prints its progress and result.

  data            Text to process (default: "${SAMPLE_DATA}").
                  Given explicitly it is sent as-is, even "" (which fails validation).
                  Put -- before data that starts with "-".
  multi           Multi-server workflow: health checks, Server A, Server B, combine (default).
  simple          Single-server workflow: validate and process on Server A only.

Options:
  --third-party   Also call Server B's simulated third-party API (multi only; it fails
                  now and then and is retried, honouring Retry-After).
  --json          Print only the result as JSON (for scripts).
  -h, --help      Show this help.

Exit codes: 0 completed, 1 workflow failed, 2 usage or configuration error, 3 Temporal unreachable.`;

export class UsageError extends Error {}

export type CliCommand = { kind: 'help' } | { kind: 'run'; data: string; mode: Mode; json: boolean; thirdParty: boolean };

export function parseCliArgs(argv: string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        'third-party': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length > 2) {
    throw new UsageError(`Expected at most 2 arguments (data and mode), got ${positionals.length}: quote data that contains spaces`);
  }
  const [data = SAMPLE_DATA, mode = 'multi'] = positionals;
  if (!isMode(mode)) throw new UsageError(`Unknown mode "${mode}": use multi or simple`);
  const thirdParty = values['third-party'] ?? false;
  if (thirdParty && mode !== 'multi') throw new UsageError('--third-party only applies to the multi mode');
  return { kind: 'run', data, mode, json: values.json ?? false, thirdParty };
}

function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}
