// The `batch` verb: inputs checked as the workflow will check them (a bad one names its item or line), run as children with a progress bar.
import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { nanoid } from 'nanoid';
import { startWorkflow } from '../../run-kinds.ts';
import { askQuery } from '../../runs/describe-run.ts';
import type { BatchItem, BatchProgress, BatchResult } from '../../workflows/batch.ts';
import { batchChildId, batchInputIssues, batchProgressQuery } from '../../workflows/batch.ts';
import type { InputIssue } from '../../workflows/input.ts';
import { type BatchOptions, EXIT, type ExitCode } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { outcomeOf, pollQuery, sayFailure, sayLostContact, startRun } from '../follow.ts';
import { ENDED, failureOutcome } from '../render.ts';

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

class BatchInputError extends Error {}

/** `.json`: an array of inputs or of strings (short for {"data": "…"}); any other file: one data string per line, blank lines
 *  skipped, with `lines[i]` the line of item i to name it in messages. */
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
  const numbered = text.split(/\r?\n/).flatMap((line, i) => (line.trim() === '' ? [] : [{ data: line, line: i + 1 }]));
  return { items: numbered.map(({ data }) => ({ data })), lines: numbered.map(({ line }) => line) };
}

/** The batch's problems as a person reads them: a text file's items by line. */
export function issueLines(issues: InputIssue[], lines?: number[]): string[] {
  return issues.map((issue) => {
    const index = /^items\[(\d+)\]/.exec(issue.field)?.[1];
    const line = index !== undefined ? lines?.[Number(index)] : undefined;
    return line === undefined ? `  - ${issue.message}` : `  - line ${line}: ${issue.message.replace(/^items\[\d+\]: /, '')}`;
  });
}

const finished = (p: BatchProgress) => p.succeeded + p.rejected + p.failed;

/** One progress line: `[#########...............]  9/20  ✓ 7  ⊘ 1  ✗ 1  running 5  run 2`. */
export function progressLine(p: BatchProgress): string {
  const filled = p.total === 0 ? 0 : Math.round((finished(p) / p.total) * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const counts = `${String(finished(p)).padStart(String(p.total).length)}/${p.total}  ✓ ${p.succeeded}  ⊘ ${p.rejected}  ✗ ${p.failed}  running ${p.running}`;
  return `  ${bar} ${counts}${p.runs > 1 ? `  run ${p.runs}` : ''}`;
}

function summaryLines({ total, kind, runs, succeeded, rejected, failed }: BatchResult): string[] {
  const lines = [`Batch completed: ${total} ${kind} item${total === 1 ? '' : 's'} in ${runs} run${runs === 1 ? '' : 's'}`, `  ✓ ${succeeded.length} succeeded`];
  for (const [mark, name, list] of [
    ['⊘', 'rejected', rejected],
    ['✗', 'failed', failed],
  ] as const) {
    lines.push(`  ${mark} ${list.length} ${name}`, ...list.slice(0, LISTED).map((p) => `      ${p.childId}  ${p.type}: ${p.reason}`));
    if (list.length > LISTED) lines.push(`      … and ${list.length - LISTED} more (--json lists them all)`);
  }
  if (rejected.length + failed.length > 0) {
    lines.push('Some children did not succeed. The batch itself completed (exit code 0): their outcomes are its result.');
  }
  return lines;
}

export async function batchCommand(ctx: CommandContext, options: BatchOptions): Promise<ExitCode> {
  const { client, say } = ctx;
  const { kind, concurrency } = options;
  const usage = (...lines: string[]) => {
    for (const line of lines) say(line);
    return EXIT.usage;
  };
  let items: unknown[];
  let lines: number[] | undefined;
  if (options.file === undefined) items = sampleInputs(options.count);
  else {
    try {
      ({ items, lines } = parseBatchFile(options.file, await readFile(options.file, 'utf8')));
    } catch (error) {
      return usage(error instanceof BatchInputError ? error.message : `Cannot read ${options.file}: ${(error as Error).message}`);
    }
    if (items.length === 0) return usage(`${options.file} holds no inputs`);
  }
  const input = { kind, items, maxConcurrent: concurrency };
  const issues = batchInputIssues(input);
  if (issues.length > 0) {
    const source = options.file ?? `--count ${options.count}`;
    return usage(`The batch from ${source} cannot run: ${issues.length} problem${issues.length === 1 ? '' : 's'}`, ...issueLines(issues, lines));
  }

  const workflowId = `batch-${nanoid()}`;
  const last = items.length - 1;
  const started = await startRun(
    ctx,
    'batch',
    () => startWorkflow(client, 'batch', { taskQueue: ctx.config.temporal.taskQueue, workflowId }, input),
    `Started batchWorkflow: ${items.length} ${kind} input${items.length === 1 ? '' : 's'}, at most ${concurrency} at a time`,
    [`  Children     ${batchChildId(workflowId, kind, 0)}${last > 0 ? ` … ${batchChildId(workflowId, kind, last)}` : ''}`],
  );
  if (typeof started === 'number') return started;
  const { handle, link, stopWatching } = started;

  const bar = progressBar(ctx.screen);
  // Unanswered polls (no worker yet, or the batch between two runs) are skipped: the next poll or the result tells.
  const polling = pollQuery(handle, batchProgressQuery, 500, bar.show);
  const outcome = await outcomeOf<BatchResult>(handle);
  await polling.stop();
  const final = await askQuery(handle, batchProgressQuery);
  bar.end(final);
  stopWatching();

  if ('result' in outcome) {
    say();
    for (const line of summaryLines(outcome.result)) say(line);
    if (ctx.json) ctx.out({ workflowId, runId: handle.firstExecutionRunId, status: 'completed', ...outcome.result });
    return EXIT.completed;
  }
  if ('failure' in outcome) {
    const failed = failureOutcome(workflowId, handle.firstExecutionRunId, outcome.failure.cause);
    const counts = final
      ? [`  When it ended: ${final.succeeded} succeeded, ${final.rejected} rejected, ${final.failed} failed, ${final.total - final.started} never started`]
      : [];
    sayFailure(ctx, `Batch ${ENDED[failed.status]}:`, failed.failures, counts, link);
    if (ctx.json) ctx.out({ ...failed, progress: final });
    return EXIT.failed;
  }
  return sayLostContact('batch', outcome.lostContact, link);
}

/** On a terminal, one line redrawn in place; anywhere else, a line every 2 s. */
function progressBar(output: CommandContext['screen']) {
  const bar = new cliProgress.SingleBar({
    stream: output as unknown as NodeJS.WritableStream,
    format: (_options, _params, payload: { progress: BatchProgress }) => progressLine(payload.progress),
    noTTYOutput: true,
    // Off a terminal, no blank line after the last one.
    clearOnComplete: !output.isTTY,
    // Ctrl-C stops watching (follow.ts); the bar has nothing of its own to undo.
    gracefulExit: false,
  });
  const show = (progress: BatchProgress) => {
    if (bar.isActive) bar.update(finished(progress), { progress });
    else bar.start(progress.total, finished(progress), { progress });
  };
  return {
    show,
    end(final: BatchProgress | null) {
      if (final) show(final);
      bar.stop();
    },
  };
}
