// The `batch` verb: runs many inputs as child workflows of one batchWorkflow, a few at a time, shows a
// progress bar from the batch's `batchProgress` query, and prints how every item ended.
//
// Inputs: --count N generates N sample inputs; --file FILE reads them. A FILE ending in .json holds a JSON
// array whose elements are inputs ({"data": "…", "metadata"?, "outageLimit"?, …}) or plain strings
// (short for {"data": "…"}); any other FILE is text, one data string per line, blank lines skipped. Every
// input is checked as the workflow will check it before anything starts: a bad one is a usage error
// naming the item (or the line).
//
// Exit code: 0 when the batch completed, even if some children failed or were rejected (a child's outcome
// is part of the batch's result, and the summary says so); 1 when the batch itself failed or was
// cancelled; 2, 3, 4 and 130 as for every verb (exit-codes.ts).
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type WorkflowHandleWithFirstExecutionRunId, WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { workerIsPolling } from '../../task-queue.ts';
import { batchChildId, batchWorkflow } from '../../workflows/batch.ts';
import { BATCH_LIMITS, batchInputIssues, type InputIssue } from '../../workflows/input.ts';
import type { WorkflowKind } from '../../workflows/kinds.ts';
import { batchProgressQuery } from '../../workflows/messages.ts';
import type { BatchInput, BatchItem, BatchProgress, BatchResult } from '../../workflows/types.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { startFailed } from '../start-error.ts';
import { ENDED, failureLines, failureOutcome } from '../render.ts';
import { webUiLinkFor } from '../web-ui.ts';

export interface BatchOptions {
  file?: string | undefined;
  count?: number | undefined;
  kind: WorkflowKind;
  concurrency: number;
}

/** Where the progress bar goes: a terminal gets one line redrawn in place, anything else a line per change. */
export interface ProgressOutput {
  isTTY: boolean;
  write: (text: string) => void;
}

const POLL_INTERVAL_MS = 500;
/** A query needs a worker to answer; without one it would wait, so each poll gets a deadline. */
const QUERY_DEADLINE_MS = 2_000;
/** Without a terminal, a progress line at most this often (and always the last one). */
const PLAIN_LINE_EVERY_MS = 2_000;
const BAR_WIDTH = 24;
/** Children whose reason the summary prints, per list; --json has them all. */
const LISTED = 20;

/** Varied, valid for every kind: Server A accepts them, Server B's rules do not refuse them, and none needs a review. */
const SAMPLES = [
  'Hello from the batch demo, item {n}',
  'Order {n} shipped on time today',
  'Is item {n} ready for the next step?',
  'Fresh news about batch item {n}',
];

export function sampleInputs(count: number): BatchItem[] {
  return Array.from({ length: count }, (_, i) => ({ data: SAMPLES[i % SAMPLES.length]!.replace('{n}', String(i + 1)) }));
}

export class BatchInputError extends Error {}

/**
 * The inputs of a batch file. `.json`: an array of inputs or strings; otherwise one data string per line.
 * `lines[i]` is the line of item i in a text file, to name it in messages.
 */
export function parseBatchFile(path: string, text: string): { items: unknown[]; lines?: number[] } {
  if (path.toLowerCase().endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new BatchInputError(`${path} is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new BatchInputError(`${path} must hold a JSON array of inputs, such as [{"data": "hello"}, "world"]`);
    return { items: parsed.map((item) => (typeof item === 'string' ? { data: item } : item)) };
  }
  const items: unknown[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    items.push({ data: line });
    lines.push(i + 1);
  });
  return { items, lines };
}

/** The batch's problems as a person reads them: a text file's items by line. */
export function issueLines(issues: InputIssue[], lines?: number[]): string[] {
  return issues.map((issue) => {
    const index = /^items\[(\d+)\]/.exec(issue.field)?.[1];
    const line = index !== undefined ? lines?.[Number(index)] : undefined;
    return line === undefined ? `  - ${issue.message}` : `  - line ${line}: ${issue.message.replace(/^items\[\d+\]: /, '')}`;
  });
}

/** One progress line: `[#########...............]  9/20  ✓ 7  ⊘ 1  ✗ 1  running 5  run 2`. */
export function progressLine(p: BatchProgress): string {
  const done = p.succeeded + p.rejected + p.failed;
  const filled = p.total === 0 ? 0 : Math.round((done / p.total) * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const counts = `${String(done).padStart(String(p.total).length)}/${p.total}  ✓ ${p.succeeded}  ⊘ ${p.rejected}  ✗ ${p.failed}  running ${p.running}`;
  return `  ${bar} ${counts}${p.runs > 1 ? `  run ${p.runs}` : ''}`;
}

/** The summary of a completed batch, for people. */
export function summaryLines(result: BatchResult): string[] {
  const { total, runs, succeeded, rejected, failed } = result;
  const lines = [`Batch completed: ${total} ${result.kind} item${total === 1 ? '' : 's'} in ${runs} run${runs === 1 ? '' : 's'}`];
  lines.push(`  ✓ ${succeeded.length} succeeded`);
  for (const [mark, name, list] of [
    ['⊘', 'rejected', rejected],
    ['✗', 'failed', failed],
  ] as const) {
    lines.push(`  ${mark} ${list.length} ${name}`);
    for (const p of list.slice(0, LISTED)) lines.push(`      ${p.childId}  ${p.type}: ${p.reason}`);
    if (list.length > LISTED) lines.push(`      … and ${list.length - LISTED} more (--json lists them all)`);
  }
  if (rejected.length + failed.length > 0) {
    lines.push('Some children did not succeed. The batch itself completed (exit code 0): their outcomes are its result.');
  }
  return lines;
}

export async function batchCommand(ctx: CommandContext, options: BatchOptions, output?: ProgressOutput): Promise<ExitCode> {
  const { client, connection, config, say } = ctx;
  const { address, namespace, taskQueue } = config.temporal;
  const usage = (lines: string[]) => {
    for (const line of lines) say(line);
    return EXIT.usage;
  };

  // ---- the inputs, checked as the workflow will check them ----
  if ((options.file === undefined) === (options.count === undefined)) return usage(['batch needs exactly one of --file FILE or --count N']);
  let items: unknown[];
  let lines: number[] | undefined;
  if (options.file !== undefined) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (error) {
      return usage([`Cannot read ${options.file}: ${(error as Error).message}`]);
    }
    try {
      ({ items, lines } = parseBatchFile(options.file, text));
    } catch (error) {
      if (!(error instanceof BatchInputError)) throw error;
      return usage([error.message]);
    }
    if (items.length === 0) return usage([`${options.file} holds no inputs`]);
  } else {
    const count = options.count!;
    if (!Number.isInteger(count) || count < 1 || count > BATCH_LIMITS.maxItems) {
      return usage([`--count must be a whole number from 1 to ${BATCH_LIMITS.maxItems} (a bigger job belongs in several batches)`]);
    }
    items = sampleInputs(count);
  }
  const input = { kind: options.kind, items, maxConcurrent: options.concurrency };
  const issues = batchInputIssues(input);
  if (issues.length > 0) {
    const source = options.file ?? `--count ${options.count}`;
    return usage([`The batch from ${source} cannot run: ${issues.length} problem${issues.length === 1 ? '' : 's'}`, ...issueLines(issues, lines)]);
  }

  // ---- start it ----
  const workflowId = `batch-${nanoid()}`;
  let handle: WorkflowHandleWithFirstExecutionRunId<typeof batchWorkflow>;
  try {
    handle = await client.workflow.start(batchWorkflow, { taskQueue, workflowId, args: [input as BatchInput] });
  } catch (error) {
    return startFailed(ctx, error, 'the batch');
  }
  const runId = handle.firstExecutionRunId;
  let link = `workflow ${workflowId}, run ${runId}`;
  // Ctrl-C stops watching, not the batch: it and its children keep going in Temporal.
  const onInterrupt = () => {
    say(`\nStopped watching. The batch keeps running in Temporal: ${link}`);
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', onInterrupt);

  say(`Started batchWorkflow: ${items.length} ${options.kind} input${items.length === 1 ? '' : 's'}, at most ${options.concurrency} at a time`);
  say(`  Workflow ID  ${workflowId}`);
  say(`  Run ID       ${runId}`);
  link = await webUiLinkFor(address, config.temporal.uiUrl, namespace, workflowId, runId);
  say(`  Web UI       ${link}`);
  const last = items.length - 1;
  say(`  Children     ${batchChildId(workflowId, options.kind, 0)}${last > 0 ? ` … ${batchChildId(workflowId, options.kind, last)}` : ''}`);
  if ((await workerIsPolling(client, taskQueue)) === false) {
    say(`  No worker is polling task queue "${taskQueue}" yet: start one with "npm run worker".`);
    say('  The batch is saved in Temporal and runs as soon as a worker is up.');
  }
  say();

  // ---- watch it ----
  const stream = ctx.json ? process.stderr : process.stdout;
  const bar = progressBar(output ?? { isTTY: stream.isTTY === true, write: (text) => stream.write(text) });
  let watching = true;
  const queryProgress = () => connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(batchProgressQuery));
  const watcher = (async () => {
    while (watching) {
      try {
        bar.show(await queryProgress());
      } catch {
        // No worker yet, or the batch just closed (or is between two runs): the next poll or the result tells.
      }
      if (watching) await sleep(POLL_INTERVAL_MS);
    }
  })();
  let outcome: { result: BatchResult } | { failure: WorkflowFailedError } | { lostContact: Error };
  try {
    outcome = { result: await handle.result() };
  } catch (error) {
    outcome = error instanceof WorkflowFailedError ? { failure: error } : { lostContact: error as Error };
  }
  watching = false;
  await watcher;
  const final = await queryProgress().catch(() => null);
  if (final) bar.show(final, true);
  bar.end();
  process.off('SIGINT', onInterrupt);

  if ('result' in outcome) {
    const { result } = outcome;
    say();
    for (const line of summaryLines(result)) say(line);
    if (ctx.json) ctx.out({ workflowId, runId, status: 'completed', ...result });
    return EXIT.completed;
  }
  if ('failure' in outcome) {
    const { cause } = outcome.failure;
    const failed = failureOutcome(workflowId, runId, cause);
    say();
    say(`Batch ${ENDED[failed.status]}:`);
    for (const line of failureLines(cause).lines) say(`  ${line}`);
    if (final)
      say(`  When it ended: ${final.succeeded} succeeded, ${final.rejected} rejected, ${final.failed} failed, ${final.total - final.started} never started`);
    say(`Full history: ${link}`);
    if (ctx.json) ctx.out({ ...failed, progress: final });
    return EXIT.failed;
  }
  process.stderr.write(`Lost contact with Temporal while waiting for the batch: ${outcome.lostContact.message}\n`);
  process.stderr.write(`The batch keeps running in Temporal: ${link}\n`);
  return EXIT.lostContact;
}

/** The progress bar: redrawn in place on a terminal; elsewhere a line when it changed, at most every 2 s. */
function progressBar(out: ProgressOutput) {
  let shown = '';
  let shownAt = 0;
  let drawn = false;
  return {
    show(progress: BatchProgress, last = false) {
      const line = progressLine(progress);
      if (line === shown) return;
      if (out.isTTY) {
        out.write(`\r${line}\x1b[K`);
        drawn = true;
      } else {
        if (!last && Date.now() - shownAt < PLAIN_LINE_EVERY_MS) return;
        out.write(`${line}\n`);
        shownAt = Date.now();
      }
      shown = line;
    },
    end() {
      if (drawn) out.write('\n');
    },
  };
}
