// The client's command line, on commander: one verb per thing a person does with a run. Parsing is pure
// (no Temporal, no I/O), so every usage error is tested without a server; client.ts dispatches the result.
import { userInfo } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BATCH_LIMITS, isOutageLimit, isReviewDeadline } from '../workflows/input.ts';
import { KIND_NAMES, WORKFLOW_KINDS, type WorkflowKind } from '../workflows/kinds.ts';
import { EXIT } from './exit-codes.ts';

/** Sent when no data argument is given. */
export const SAMPLE_DATA = 'Hello from the Temporal multi-server demo';

export class UsageError extends Error {}

export interface RunOptions {
  data: string;
  mode: WorkflowKind;
  thirdParty: boolean;
  outageLimit: string | undefined;
  review: boolean;
  reviewDeadline: string | undefined;
}

export type CliCommand = { json: boolean } & (
  | { verb: 'help'; text: string }
  | ({ verb: 'run' } & RunOptions)
  | { verb: 'status' | 'cancel'; workflowId: string }
  | { verb: 'approve' | 'reject'; workflowId: string; reviewer: string; comment: string | undefined; signal: boolean }
  | { verb: 'list'; status: string | undefined; category: string | undefined; step: string | undefined; review: string | undefined; limit: number }
  | { verb: 'batch'; file: string | undefined; count: number | undefined; kind: WorkflowKind; concurrency: number }
  | { verb: 'schedule'; action: ScheduleAction; id: string | undefined; every: string | undefined; data: string; note: string | undefined }
);

export const SCHEDULE_ACTIONS = ['create', 'list', 'pause', 'unpause', 'trigger', 'delete'] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

const EXIT_CODES = `Exit codes: ${EXIT.completed} completed, ${EXIT.failed} workflow failed (or was cancelled), ${EXIT.usage} usage or configuration error,
${EXIT.couldNotStart} could not start (Temporal unreachable or refused), ${EXIT.lostContact} lost contact while waiting for the result,
${EXIT.interrupted} stopped watching with Ctrl-C (the workflow keeps running).`;

const wholeNumber = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`It must be a whole number from ${min} to ${max}`);
  return n;
};
const duration = (check: (v: string) => boolean, range: string) => (value: string) => {
  if (!check(value)) throw new InvalidArgumentError(`It must be a duration from ${range} such as 30s or 5m`);
  return value;
};

/** Parses argv (without node and the script); throws UsageError with the reason for anything it cannot run. */
export function parseCommand(argv: string[]): CliCommand {
  let parsed: CliCommand | undefined;
  let help = '';
  const program = new Command('npx node temporal/client.ts')
    .description("Start the project's workflows and work with their runs: review, cancel, find, batch, schedule.")
    .exitOverride()
    .configureOutput({ writeOut: (text) => (help += text), writeErr: () => {}, outputError: () => {} })
    .addHelpText('after', `\nWithout a verb, "run" is meant: npx node temporal/client.ts "data" simple\n\n${EXIT_CODES}`)
    .showSuggestionAfterError();
  const json = new Option('--json', 'print only the outcome as JSON on stdout');
  const reviewerDefault = safeUserName();

  program
    .command('run', { isDefault: true })
    .description('start a workflow, show its steps as they complete, and print the outcome')
    .argument('[data]', `text to process (default: "${SAMPLE_DATA}"); sent as-is, even ""; put -- before data that starts with "-"`)
    .argument('[mode]', KIND_NAMES.map((k) => `${k}: ${WORKFLOW_KINDS[k].description}`).join('; '), 'multi')
    .option('--third-party', "also call Server B's simulated third-party API (multi only)")
    .option(
      '--outage-limit <time>',
      'how long a service may be down at any step before the run fails: 1s to 1h (default 2m)',
      duration(isOutageLimit, '1s to 1h'),
    )
    .option('--review', 'ask a person to review before publishing (publish only)')
    .option(
      '--review-deadline <time>',
      'each review wait: escalate after one, reject after two; 1s to 24h (default 5m; publish only)',
      duration(isReviewDeadline, '1s to 24h'),
    )
    .addOption(json)
    .action(
      (
        data: string | undefined,
        mode: string,
        o: { thirdParty?: boolean; outageLimit?: string; review?: boolean; reviewDeadline?: string; json?: boolean },
      ) => {
        if (!(KIND_NAMES as string[]).includes(mode))
          throw new UsageError(`Unknown mode "${mode}": use ${KIND_NAMES.slice(0, -1).join(', ')} or ${KIND_NAMES.at(-1)}`);
        if (o.thirdParty && mode !== 'multi') throw new UsageError('--third-party only applies to the multi mode');
        if ((o.review || o.reviewDeadline) && mode !== 'publish') throw new UsageError('--review and --review-deadline only apply to the publish mode');
        parsed = {
          verb: 'run',
          json: o.json ?? false,
          data: data ?? SAMPLE_DATA,
          mode: mode as WorkflowKind,
          thirdParty: o.thirdParty ?? false,
          outageLimit: o.outageLimit,
          review: o.review ?? false,
          reviewDeadline: o.reviewDeadline,
        };
      },
    );

  const aboutOneRun = {
    status: "a run's state: its steps, and for a publish run its review",
    cancel: "cancel a run: its running step's call is aborted, a saga undoes what it did, and it ends cancelled",
  } as const;
  for (const [verb, description] of Object.entries(aboutOneRun) as Array<[keyof typeof aboutOneRun, string]>) {
    program
      .command(verb)
      .description(description)
      .argument('<workflowId>')
      .addOption(json)
      .action((workflowId: string, o: { json?: boolean }) => {
        parsed = { verb, json: o.json ?? false, workflowId };
      });
  }

  for (const verb of ['approve', 'reject'] as const) {
    program
      .command(verb)
      .description(`${verb} a publish run waiting for review (an Update: refused with the reason if it cannot apply)`)
      .argument('<workflowId>')
      .option('--reviewer <name>', 'who decides (default: your user name)', reviewerDefault)
      .option('--comment <text>', 'why, for the record')
      .option('--signal', 'send it as a fire-and-forget Signal instead (no answer; a bad one is only noted in the run)')
      .addOption(json)
      .action((workflowId: string, o: { reviewer: string; comment?: string; signal?: boolean; json?: boolean }) => {
        parsed = { verb, json: o.json ?? false, workflowId, reviewer: o.reviewer, comment: o.comment, signal: o.signal ?? false };
      });
  }

  program
    .command('list')
    .description('find runs by status and search attributes (prints the visibility query it used)')
    .option('--status <status>', 'Running, Completed, Failed, Canceled, Terminated, TimedOut or ContinuedAsNew')
    .option('--category <category>', "the DataCategory Server B's enrichment gave the data")
    .option('--step <step>', 'the CurrentStep of running runs')
    .option('--review <state>', 'the ReviewState of publish runs (pending, escalated, approved, rejected, expired)')
    .option('--limit <n>', 'at most this many runs', wholeNumber(1, 1000), 20)
    .addOption(json)
    .action((o: { status?: string; category?: string; step?: string; review?: string; limit: number; json?: boolean }) => {
      parsed = { verb: 'list', json: o.json ?? false, status: o.status, category: o.category, step: o.step, review: o.review, limit: o.limit };
    });

  program
    .command('batch')
    .description('run many inputs as child workflows of one batch workflow, a few at a time')
    .option('--file <file>', 'the inputs')
    .option('--count <n>', 'or this many generated sample inputs', wholeNumber(1, BATCH_LIMITS.maxItems))
    .option('--kind <mode>', `the workflow each input runs: ${KIND_NAMES.join(', ')}`, 'multi')
    .option(
      '--concurrency <k>',
      'children running at once',
      wholeNumber(BATCH_LIMITS.maxConcurrent.min, BATCH_LIMITS.maxConcurrent.max),
      BATCH_LIMITS.maxConcurrent.default,
    )
    .addOption(json)
    .action((o: { file?: string; count?: number; kind: string; concurrency: number; json?: boolean }) => {
      if ((o.file === undefined) === (o.count === undefined)) throw new UsageError('batch needs exactly one of --file FILE or --count N');
      if (!(KIND_NAMES as string[]).includes(o.kind)) throw new UsageError(`Unknown --kind "${o.kind}": use ${KIND_NAMES.join(', ')}`);
      parsed = { verb: 'batch', json: o.json ?? false, file: o.file, count: o.count, kind: o.kind as WorkflowKind, concurrency: o.concurrency };
    });

  program
    .command('schedule')
    .description('run the multi-server workflow on a schedule: create, list, pause, unpause, trigger, delete')
    .argument('<action>', SCHEDULE_ACTIONS.join(' | '))
    .argument('[id]', 'the schedule (every action but create and list)')
    .option('--id <id>', 'the schedule to create')
    .option('--every <time>', 'how often (create)')
    .option('--data <text>', 'the data each run processes (create)', SAMPLE_DATA)
    .option('--note <text>', 'why (pause, unpause)')
    .addOption(json)
    .action((action: string, id: string | undefined, o: { id?: string; every?: string; data: string; note?: string; json?: boolean }) => {
      if (!(SCHEDULE_ACTIONS as readonly string[]).includes(action))
        throw new UsageError(`Unknown schedule action "${action}": use ${SCHEDULE_ACTIONS.join(', ')}`);
      const scheduleId = action === 'create' ? o.id : id;
      if (action === 'create' && (o.id === undefined || o.every === undefined)) throw new UsageError('schedule create needs --id ID and --every TIME');
      if (action !== 'create' && action !== 'list' && scheduleId === undefined) throw new UsageError(`schedule ${action} needs the schedule's id`);
      parsed = { verb: 'schedule', json: o.json ?? false, action: action as ScheduleAction, id: scheduleId, every: o.every, data: o.data, note: o.note };
    });

  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version')
        return { verb: 'help', json: false, text: help };
      const message = error.message.replace(/^error: /, '');
      throw new UsageError(message.charAt(0).toUpperCase() + message.slice(1));
    }
    throw error;
  }
  if (!parsed) throw new UsageError('Nothing to do');
  return parsed;
}

/** The usage of the whole client, or of one verb, for error messages. */
export function usageOf(argv: string[]): string {
  const verb = argv.find((a) => !a.startsWith('-'));
  try {
    const help = parseCommand([
      ...(verb && ['run', 'status', 'approve', 'reject', 'cancel', 'list', 'batch', 'schedule'].includes(verb) ? [verb] : []),
      '--help',
    ]);
    return help.verb === 'help' ? help.text.trimEnd() : '';
  } catch {
    return '';
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'reviewer';
  }
}
