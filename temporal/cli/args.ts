// The client's command line on commander, parsed without Temporal or I/O, so every usage error is tested without a server.
import { userInfo } from 'node:os';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LIST_LIMIT, type ListFilters } from '../runs/list-filters.ts';
import { parseInterval, scheduleIdIssue } from '../schedules.ts';
import { BATCH_LIMITS } from '../workflows/batch.ts';
import { isOutageLimit, isReviewDeadline } from '../workflows/input.ts';
import { KIND_NAMES, WORKFLOW_KINDS, type WorkflowKind } from '../workflows/kinds.ts';
import type { MultiServerInput } from '../workflows/multi-server.ts';
import type { PublishInput } from '../workflows/publish.ts';

/** The client as a person runs it, in help and in the commands it suggests. */
export const CLIENT = 'npx node temporal/client.ts';

export const SAMPLE_DATA = 'Hello from the Temporal multi-server demo';

export const EXIT = {
  completed: 0,
  /** The workflow ran and ended failed, cancelled, terminated or timed out; or a request about it was refused. */
  failed: 1,
  usage: 2,
  couldNotStart: 3,
  lostContact: 4,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command line that cannot run; its message is the reason followed by the usage. */
export class UsageError extends Error {}

export type ListOptions = ListFilters & { limit: number };

export type BatchOptions = ({ file: string; count?: undefined } | { file?: undefined; count: number }) & { kind: WorkflowKind; concurrency: number };

const SCHEDULE_ACTIONS = ['create', 'list', 'pause', 'unpause', 'trigger', 'delete'] as const;
type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

/** A schedule action with what it needs, as the command line guarantees it. */
export type ScheduleCommand =
  | { action: 'create'; id: string; everyMs: number; data: string }
  | { action: 'list' }
  | { action: Exclude<ScheduleAction, 'create' | 'list'>; id: string; note: string | undefined };

type Verb =
  | { verb: 'help'; text: string }
  | { verb: 'run'; mode: WorkflowKind; input: MultiServerInput & PublishInput }
  | { verb: 'status' | 'cancel'; workflowId: string }
  | { verb: 'approve' | 'reject'; workflowId: string; reviewer: string; comment?: string; signal?: true }
  | ({ verb: 'list' } & ListOptions)
  | ({ verb: 'batch' } & BatchOptions)
  | ({ verb: 'schedule' } & ScheduleCommand);

export type CliCommand = { json: boolean } & Verb;

const EXIT_CODES = `Exit codes: ${EXIT.completed} completed, ${EXIT.failed} workflow failed (or was cancelled), ${EXIT.usage} usage or configuration error,
${EXIT.couldNotStart} could not start (Temporal unreachable or refused), ${EXIT.lostContact} lost contact while waiting for the result,
${EXIT.interrupted} stopped watching with Ctrl-C (the workflow keeps running).`;

// Value parsers: commander shows an InvalidArgumentError as "Option '--x <v>' argument 'v' is invalid. <message>".
const wholeNumber = (min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`It must be a whole number from ${min} to ${max}`);
  return Number(value);
};
const duration = (accepts: (value: string) => boolean, range: string) => (value: string) => {
  if (!accepts(value)) throw new InvalidArgumentError(`It must be a duration from ${range} such as 30s or 5m`);
  return value;
};
const interval = (value: string) => {
  const checked = parseInterval(value);
  if ('issue' in checked) throw new InvalidArgumentError(`It ${checked.issue}`);
  return checked.ms;
};
// Only ids this client creates are held to its pattern: one made elsewhere (Temporal's CLI, the Web UI) can still be managed.
const scheduleId = (value: string) => {
  const issue = scheduleIdIssue(value);
  if (issue) throw new InvalidArgumentError(`The schedule id ${issue}`);
  return value;
};

/** Parses argv (without node and the script); throws UsageError for anything it cannot run. */
export function parseCommand(argv: string[]): CliCommand {
  let parsed: Verb | undefined;
  let help = '';
  let usageError = '';
  const program = new Command(CLIENT)
    .description("Start the project's workflows and work with their runs: review, cancel, find, batch, schedule.")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => (help += text),
      writeErr: (text) => (usageError += text),
      // "error: unknown option '--bogus'" → "Unknown option '--bogus'"
      outputError: (text, write) => write(text.replace(/^error: (.)/, (_, first: string) => first.toUpperCase())),
    })
    .showHelpAfterError()
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true })
    .option('--json', 'print only the outcome as JSON on stdout')
    .addHelpText('after', `\nWithout a verb, "run" is meant: ${CLIENT} "data" simple\n\n${EXIT_CODES}`);

  const run = program
    .command('run', { isDefault: true })
    .description('start a workflow, show its steps as they complete, and print the outcome')
    .argument('[data]', `text to process (default: "${SAMPLE_DATA}"); sent as-is, even ""; put -- before data that starts with "-"`)
    .addArgument(new Argument('[mode]', KIND_NAMES.map((k) => `${k}: ${WORKFLOW_KINDS[k].description}`).join('; ')).choices(KIND_NAMES).default('multi'))
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
    .action((data: string | undefined, mode: WorkflowKind, o: { thirdParty?: true; outageLimit?: string; review?: true; reviewDeadline?: string }) => {
      if (o.thirdParty && mode !== 'multi') run.error('--third-party only applies to the multi mode');
      if ((o.review || o.reviewDeadline) && mode !== 'publish') run.error('--review and --review-deadline only apply to the publish mode');
      // Commander sets only the options given, so the input holds just those.
      const { thirdParty, ...given } = o;
      parsed = { verb: 'run', mode, input: { data: data ?? SAMPLE_DATA, ...given, ...(thirdParty && { thirdParty: {} }) } };
    });

  const aboutOneRun = {
    status: "a run's state: its steps, and for a publish run its review",
    cancel: "cancel a run: its running step's call is aborted, a saga undoes what it did, and it ends cancelled",
  };
  for (const verb of ['status', 'cancel'] as const) {
    program
      .command(verb)
      .description(aboutOneRun[verb])
      .argument('<workflowId>')
      .action((workflowId: string) => {
        parsed = { verb, workflowId };
      });
  }

  for (const verb of ['approve', 'reject'] as const) {
    program
      .command(verb)
      .description(`${verb} a publish run waiting for review (an Update: refused with the reason if it cannot apply)`)
      .argument('<workflowId>')
      .option('--reviewer <name>', 'who decides (default: your user name)', userName())
      .option('--comment <text>', 'why, for the record')
      .option('--signal', 'send it as a fire-and-forget Signal instead (no answer; a bad one is only noted in the run)')
      .action((workflowId: string, o: { reviewer: string; comment?: string; signal?: true }) => {
        parsed = { verb, workflowId, ...o };
      });
  }

  program
    .command('list')
    .description('find runs by status and search attributes (prints the visibility query it used)')
    .option('--status <status>', 'Running, Completed, Failed, Canceled, Terminated, TimedOut or ContinuedAsNew')
    .option('--category <category>', "the DataCategory Server B's enrichment gave the data")
    .option('--step <step>', 'where runs stopped: the step a run failed or was cancelled at, or review while it waits for a person')
    .option('--review <state>', 'the ReviewState of publish runs (pending, escalated, approved, rejected, expired)')
    .option('--limit <n>', 'at most this many runs', wholeNumber(LIST_LIMIT.min, LIST_LIMIT.max), LIST_LIMIT.default)
    .action((o: ListOptions) => {
      parsed = { verb: 'list', ...o };
    });

  const batch = program
    .command('batch')
    .description('run many inputs as child workflows of one batch workflow, a few at a time')
    .option('--file <file>', 'the inputs')
    .option(
      '--count <n>',
      `or this many generated sample inputs, 1 to ${BATCH_LIMITS.maxItems} (a bigger job belongs in several batches)`,
      wholeNumber(1, BATCH_LIMITS.maxItems),
    )
    .addOption(new Option('--kind <mode>', 'the workflow each input runs').choices(KIND_NAMES).default('multi'))
    .option(
      '--concurrency <k>',
      'children running at once',
      wholeNumber(BATCH_LIMITS.maxConcurrent.min, BATCH_LIMITS.maxConcurrent.max),
      BATCH_LIMITS.maxConcurrent.default,
    )
    // Typed as it is once the check below has passed.
    .action((o: BatchOptions) => {
      if ((o.file === undefined) === (o.count === undefined)) batch.error('batch needs exactly one of --file FILE or --count N');
      parsed = { verb: 'batch', ...o };
    });

  const schedule = program
    .command('schedule')
    .description('run the multi-server workflow on a schedule: create, list, pause, unpause, trigger, delete')
    .addArgument(new Argument('<action>').choices(SCHEDULE_ACTIONS))
    .argument('[id]', 'the schedule (every action but create and list)')
    .option('--id <id>', 'the schedule to create', scheduleId)
    .option('--every <time>', 'how often (create): 1m to 24h', interval)
    .option('--data <text>', 'the data each run processes (create)', SAMPLE_DATA)
    .option('--note <text>', 'why (pause, unpause)')
    .action((action: ScheduleAction, id: string | undefined, o: { id?: string; every?: number; data: string; note?: string }) => {
      if (action === 'list') parsed = { verb: 'schedule', action };
      else if (action === 'create') {
        if (o.id === undefined || o.every === undefined) return schedule.error('schedule create needs --id ID and --every TIME');
        parsed = { verb: 'schedule', action, id: o.id, everyMs: o.every, data: o.data };
      } else {
        if (id === undefined) return schedule.error(`schedule ${action} needs the schedule's id`);
        parsed = { verb: 'schedule', action, id, note: o.note };
      }
    });

  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { verb: 'help', json: false, text: help };
    throw new UsageError(usageError.trimEnd());
  }
  if (!parsed) throw new UsageError('Nothing to do');
  return { ...parsed, json: program.opts<{ json?: true }>().json === true };
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    // No entry for this user id (a container, say): the reviewer is then named with --reviewer.
    return 'reviewer';
  }
}
