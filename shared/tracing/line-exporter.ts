// Spans as lines, for a machine without a trace viewer: TRACES=console, a readable line per span on stderr;
// TRACES=file:<path>, a JSON line per span in a file every process shares (scripts/trace-tree.ts reads it).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** One span as a line of the traces file. */
export type SpanLine = ReturnType<typeof toSpanLine>;

function toSpanLine(span: ReadableSpan) {
  const { traceId, spanId } = span.spanContext();
  const message = span.status.message;
  return {
    traceId,
    spanId,
    // Absent for the root of a trace.
    ...(span.parentSpanId && { parentSpanId: span.parentSpanId }),
    // The process that made the span: server-a, server-b, worker or client.
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    name: span.name,
    kind: SpanKind[span.kind] as keyof typeof SpanKind,
    // Workflow spans: the workflow task's time, as the workflow sees it.
    start: new Date(hrTimeToMilliseconds(span.startTime)).toISOString(),
    durationMs: Math.round(hrTimeToMilliseconds(span.duration) * 10) / 10,
    status: SpanStatusCode[span.status.code] as 'UNSET' | 'OK' | 'ERROR',
    ...(message && { statusMessage: message }),
    attributes: { ...span.attributes } as Record<string, unknown>,
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
