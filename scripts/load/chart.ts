// The load test's chart as a self-contained SVG (no library, no fonts to fetch): end-to-end latency over
// the run (p50, p90 and p99 of the runs that ended in each time slice) above the throughput (runs ended
// per second in each slice). Failed runs are marked on the time axis in red.
import { summarize } from '../../shared/service/metrics.ts';
import type { RunSample } from '../support/run-workflows.ts';

const WIDTH = 920;
const PLOT = { left: 70, right: 20, top: 80, latencyHeight: 230, gap: 60, throughputHeight: 150 };
const SLICES = 60;

export interface ChartSeries {
  sliceSeconds: number;
  /** Per slice: end time (s), latency percentiles of runs that ended in it, runs ended per second, failures. */
  slices: { endS: number; p50: number | null; p90: number | null; p99: number | null; perSecond: number; failed: number }[];
}

/** Cuts the run into SLICES equal slices by the moment each run ended. */
export function seriesOf(samples: RunSample[], wallMs: number): ChartSeries {
  const sliceMs = Math.max(wallMs / SLICES, 1);
  const buckets = Array.from({ length: SLICES }, () => ({ latencies: [] as number[], failed: 0 }));
  for (const s of samples) {
    const bucket = buckets[Math.min(SLICES - 1, Math.floor((s.startedAtMs + s.latencyMs) / sliceMs))]!;
    if (s.outcome === 'completed') bucket.latencies.push(s.latencyMs);
    else bucket.failed += 1;
  }
  return {
    sliceSeconds: sliceMs / 1000,
    slices: buckets.map((b, i) => {
      const p = b.latencies.length > 0 ? summarize(b.latencies) : undefined;
      return {
        endS: ((i + 1) * sliceMs) / 1000,
        p50: p?.p50 ?? null,
        p90: p?.p90 ?? null,
        p99: p?.p99 ?? null,
        perSecond: (b.latencies.length + b.failed) / (sliceMs / 1000),
        failed: b.failed,
      };
    }),
  };
}

/** A round step for about `count` ticks up to `max`: 1, 2 or 5 times a power of ten. */
function tickStep(max: number, count: number): number {
  const raw = Math.max(max, 1e-9) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power) as number;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, '') : n.toFixed(2).replace(/\.?0+$/, ''));

export function chartSvg(series: ChartSeries, title: string, subtitle: string): string {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const wallS = series.slices.at(-1)?.endS ?? 1;
  const x = (s: number) => PLOT.left + (s / wallS) * plotWidth;
  const latencyTop = PLOT.top;
  const throughputTop = PLOT.top + PLOT.latencyHeight + PLOT.gap;
  const height = throughputTop + PLOT.throughputHeight + 45;
  const maxLatency = Math.max(...series.slices.map((s) => s.p99 ?? 0), 1);
  const maxRate = Math.max(...series.slices.map((s) => s.perSecond), 1);
  const yLatency = (ms: number) => latencyTop + PLOT.latencyHeight - (ms / (maxLatency * 1.05)) * PLOT.latencyHeight;
  const yRate = (r: number) => throughputTop + PLOT.throughputHeight - (r / (maxRate * 1.1)) * PLOT.throughputHeight;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${PLOT.left}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="${PLOT.left}" y="40" fill="#555">${escape(subtitle)}</text>`,
  );
  const axes = (top: number, plotHeight: number, max: number, y: (v: number) => number, label: string, unit: string) => {
    const step = tickStep(max, 5);
    for (let v = 0; v <= max * 1.05; v += step) {
      out.push(
        `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`,
        `<text x="${PLOT.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmt(v)}${unit}</text>`,
      );
    }
    const timeStep = tickStep(wallS, 10);
    for (let s = 0; s <= wallS + 1e-9; s += timeStep) {
      out.push(`<text x="${x(s).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#555">${fmt(s)} s</text>`);
    }
    out.push(
      `<rect x="${PLOT.left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
      `<text x="${PLOT.left}" y="${top - 8}" font-weight="bold">${escape(label)}</text>`,
    );
  };
  axes(latencyTop, PLOT.latencyHeight, maxLatency, yLatency, 'End-to-end latency of the runs ending in each slice', ' ms');
  const colours = { p50: '#1f77b4', p90: '#ff7f0e', p99: '#d62728' } as const;
  for (const key of ['p99', 'p90', 'p50'] as const) {
    const points = series.slices
      .filter((s) => s[key] !== null)
      .map((s) => `${x(s.endS - series.sliceSeconds / 2).toFixed(1)},${yLatency(s[key]!).toFixed(1)}`)
      .join(' ');
    out.push(`<polyline points="${points}" fill="none" stroke="${colours[key]}" stroke-width="2"/>`);
  }
  ['p50', 'p90', 'p99'].forEach((key, i) => {
    const lx = WIDTH - PLOT.right - 180 + i * 60;
    out.push(
      `<line x1="${lx}" x2="${lx + 16}" y1="${latencyTop - 12}" y2="${latencyTop - 12}" stroke="${colours[key as keyof typeof colours]}" stroke-width="2"/>`,
      `<text x="${lx + 20}" y="${latencyTop - 8}">${key}</text>`,
    );
  });
  axes(throughputTop, PLOT.throughputHeight, maxRate, yRate, 'Throughput: runs ended per second', '/s');
  const barWidth = Math.max((plotWidth / series.slices.length) * 0.8, 1);
  for (const s of series.slices) {
    const left = x(s.endS - series.sliceSeconds) + (plotWidth / series.slices.length) * 0.1;
    out.push(
      `<rect x="${left.toFixed(1)}" y="${yRate(s.perSecond).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(throughputTop + PLOT.throughputHeight - yRate(s.perSecond)).toFixed(1)}" fill="#2ca02c"/>`,
    );
    if (s.failed > 0) {
      out.push(
        `<rect x="${left.toFixed(1)}" y="${throughputTop + PLOT.throughputHeight - 4}" width="${barWidth.toFixed(1)}" height="4" fill="#d62728"><title>${s.failed} failed</title></rect>`,
      );
    }
  }
  out.push(
    `<text x="${PLOT.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle" fill="#555">time since the first start (s); failed runs marked red on the axis</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
