// Spans as lines, for a machine without a trace viewer (TRACES=console or TRACES=file:<path>): one
// readable line per span on stderr (stdout stays the logs', and the client's --json outcome), or one
// JSON object per line appended to a file that every process of the stack shares, so a whole trace
// (client, worker, both services) can be read back from it (scripts/trace-tree.ts prints it as a tree).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** One span as a line of the traces file. */
export interface SpanLine {
  traceId: string;
  spanId: string;
  /** Absent for the root of a trace. */
  parentSpanId?: string;
  /** The process that made the span: server-a, server-b, worker or client (its resource's service.name). */
  service: string;
  name: string;
  kind: keyof typeof SpanKind;
  /** ISO time the span started (workflow spans: the workflow task's time, as the workflow sees it). */
  start: string;
  durationMs: number;
  status: 'UNSET' | 'OK' | 'ERROR';
  statusMessage?: string;
  attributes: Record<string, unknown>;
}

function toSpanLine(span: ReadableSpan): SpanLine {
  const { traceId, spanId } = span.spanContext();
  const message = span.status.message;
  return {
    traceId,
    spanId,
    ...(span.parentSpanId && { parentSpanId: span.parentSpanId }),
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    name: span.name,
    kind: SpanKind[span.kind] as keyof typeof SpanKind,
    start: new Date(hrTimeToMilliseconds(span.startTime)).toISOString(),
    durationMs: Math.round(hrTimeToMilliseconds(span.duration) * 10) / 10,
    status: SpanStatusCode[span.status.code] as SpanLine['status'],
    ...(message && { statusMessage: message }),
    attributes: { ...span.attributes },
  };
}

/** `trace <id> span <id> ← <parent> service name 12.3 ms ERROR message`: what TRACES=console prints. */
function readableLine(line: SpanLine): string {
  const status = line.status === 'ERROR' ? ` ERROR${line.statusMessage ? ` ${line.statusMessage.split('\n')[0]}` : ''}` : '';
  return `trace ${line.traceId} span ${line.spanId} ← ${line.parentSpanId ?? 'root'} ${line.service} ${line.name} ${line.durationMs} ms${status}`;
}

/** Writes each batch of spans with `write`, synchronously: a line is never lost to a process exit. */
function lineExporter(write: (spans: SpanLine[]) => void): SpanExporter {
  return {
    export(spans, done) {
      try {
        write(spans.map(toSpanLine));
        done({ code: ExportResultCode.SUCCESS });
      } catch (error) {
        done({ code: ExportResultCode.FAILED, error: error as Error });
      }
    },
    shutdown: () => Promise.resolve(),
  };
}

export function consoleExporter(stream: NodeJS.WritableStream = process.stderr): SpanExporter {
  return lineExporter((spans) => stream.write(spans.map((s) => `${readableLine(s)}\n`).join('')));
}

/** Appends JSON lines to `path`; each append is one write, so the lines of several processes never interleave. */
export function fileExporter(path: string): SpanExporter {
  mkdirSync(dirname(path), { recursive: true });
  return lineExporter((spans) => appendFileSync(path, spans.map((s) => `${JSON.stringify(s)}\n`).join('')));
}
