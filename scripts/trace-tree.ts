// node scripts/trace-tree.ts [file] [trace id]: one trace of a TRACES=file:<path> file as a tree across the
// stack's processes, for a machine without a trace viewer (docs/observability.md).
import { readFileSync } from 'node:fs';
import { loadConfig, orExit } from '../shared/config.ts';
import { fromProjectRoot } from '../shared/paths.ts';
import type { SpanLine } from '../shared/tracing/line-exporter.ts';
import { ATTEMPT_ATTRIBUTE } from '../temporal/tracing.ts';

/** The trace as lines: a heading, then one line per span, children under their parent by start time. */
export function renderTrace(spans: SpanLine[]): string[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const byStart = (x: SpanLine, y: SpanLine) => x.start.localeCompare(y.start) || x.name.localeCompare(y.name);
  // A span whose parent is not in the file (another process did not write its spans there) shows as a root.
  const children = (parent: string | undefined) =>
    spans.filter((s) => (s.parentSpanId !== undefined && ids.has(s.parentSpanId) ? s.parentSpanId : undefined) === parent).sort(byStart);
  const rows: Array<[string, SpanLine]> = [];
  const walk = (span: SpanLine, lead: string, branch: string) => {
    rows.push([`${lead}${branch}${span.name}`, span]);
    const below = children(span.spanId);
    const next = lead + (branch === '├─ ' ? '│  ' : branch === '' ? '' : '   ');
    below.forEach((child, i) => walk(child, next, i === below.length - 1 ? '└─ ' : '├─ '));
  };
  for (const root of children(undefined)) walk(root, '', '');
  const width = Math.max(...rows.map(([tree]) => tree.length));
  const serviceWidth = Math.max(...spans.map((s) => s.service.length));
  const services = [...new Set(spans.map((s) => s.service))].join(', ');
  return [
    `trace ${spans[0]?.traceId}: ${spans.length} spans from ${services}`,
    ...rows.map(([tree, span]) => {
      const attempt = span.attributes[ATTEMPT_ATTRIBUTE];
      const status = span.attributes['http.response.status_code'];
      const notes = [
        attempt !== undefined && `attempt ${String(attempt)}`,
        status !== undefined && `→ ${String(status)}`,
        span.status === 'ERROR' && `ERROR${span.statusMessage ? `: ${span.statusMessage.split('\n')[0]!.slice(0, 80)}` : ''}`,
      ].filter(Boolean);
      return `${tree.padEnd(width)}  ${span.service.padEnd(serviceWidth)}  ${`${span.durationMs} ms`.padStart(10)}  ${notes.join('  ')}`.trimEnd();
    }),
  ];
}

/** The spans of `traceId` (a prefix will do), or of the latest trace that starts a workflow. */
export function pickTrace(spans: SpanLine[], traceId?: string): SpanLine[] {
  const chosen =
    traceId === undefined
      ? spans
          .filter((s) => s.name.startsWith('StartWorkflow:'))
          .sort((x, y) => x.start.localeCompare(y.start))
          .at(-1)?.traceId
      : spans.find((s) => s.traceId.startsWith(traceId))?.traceId;
  return chosen === undefined ? [] : spans.filter((s) => s.traceId === chosen);
}

if (import.meta.main) {
  const [fileArg, traceId] = process.argv.slice(2);
  const file = fileArg ?? orExit(loadConfig).traces.file;
  if (file === undefined) {
    process.stderr.write('Usage: npx node scripts/trace-tree.ts [file] [trace id]\nWithout a file, TRACES must be file:<path> (in .env or the environment).\n');
    process.exit(2);
  }
  let text: string;
  try {
    text = readFileSync(fromProjectRoot(file), 'utf8');
  } catch (error) {
    process.stderr.write(`Cannot read ${file}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const spans = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SpanLine);
  const trace = pickTrace(spans, traceId);
  if (trace.length === 0) {
    process.stderr.write(traceId ? `No trace ${traceId} in ${file}.\n` : `No workflow start in ${file} yet: run the client with TRACES set.\n`);
    process.exit(1);
  }
  process.stdout.write(`${renderTrace(trace).join('\n')}\n`);
}
