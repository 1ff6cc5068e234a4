// Command-line arguments of temporal/client.ts, and the exit codes it promises.
import { parseArgs } from 'node:util';
import { KIND_NAMES, WORKFLOW_KINDS, type WorkflowKind } from '../workflows/kinds.ts';
import { isOutageLimit } from '../workflows/input.ts';
import { EXIT } from './exit-codes.ts';

/** Sent when no data argument is given. */
export const SAMPLE_DATA = 'Hello from the Temporal multi-server demo';

export const USAGE = `Usage: node temporal/client.ts [data] [${KIND_NAMES.join('|')}] [options]

Starts a workflow on the task queue TEMPORAL_TASK_QUEUE and prints its progress and result.

  data            Text to process (default: "${SAMPLE_DATA}").
                  Given explicitly it is sent as-is, even "" (which fails validation).
                  Put -- before data that starts with "-".
${KIND_NAMES.map((kind) => `  ${kind.padEnd(16)}${WORKFLOW_KINDS[kind].description}${kind === 'multi' ? ' (default)' : ''}.`).join('\n')}

Options:
  --third-party          Also call Server B's simulated third-party API (multi only; it fails
                         now and then and is retried, honouring Retry-After).
  --outage-limit TIME    How long a service may be down at any step before the run fails with
                         ServiceUnavailable: 1s to 1h, such as 30s or 5m (default 2m).
  --json                 Print only the outcome as JSON on stdout: the result, or a failure object.
  -h, --help             Show this help.

Exit codes: ${EXIT.completed} completed, ${EXIT.failed} workflow failed (or was cancelled), ${EXIT.usage} usage or configuration error,
${EXIT.couldNotStart} could not start (Temporal unreachable or refused), ${EXIT.lostContact} lost contact while waiting for the result,
${EXIT.interrupted} stopped watching with Ctrl-C (the workflow keeps running).`;

export class UsageError extends Error {}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'run'; data: string; mode: WorkflowKind; json: boolean; thirdParty: boolean; outageLimit: string | undefined };

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
        'outage-limit': { type: 'string' },
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
  if (!isKind(mode)) throw new UsageError(`Unknown mode "${mode}": use ${KIND_NAMES.slice(0, -1).join(', ')} or ${KIND_NAMES.at(-1)}`);
  const thirdParty = values['third-party'] ?? false;
  if (thirdParty && mode !== 'multi') throw new UsageError('--third-party only applies to the multi mode');
  const outageLimit = values['outage-limit'];
  if (outageLimit !== undefined && !isOutageLimit(outageLimit)) {
    throw new UsageError(`--outage-limit must be a duration from 1s to 1h such as 30s or 5m, got "${outageLimit}"`);
  }
  return { kind: 'run', data, mode, json: values.json ?? false, thirdParty, outageLimit };
}

function isKind(value: string): value is WorkflowKind {
  return (KIND_NAMES as string[]).includes(value);
}
