// The load test's chart: end-to-end latency over the run (p50, p90 and p99 of the runs that ended in each
// time slice) above the throughput (runs ended per second in each slice, failed ones in red). A vega-lite
// spec rendered to a self-contained SVG by vega in Node, so no browser and no fonts to fetch.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { RunSample } from '../support/run-workflows.ts';

const SLICES = 60;
const WIDTH = 760;
const COLOURS = { p50: '#1f77b4', p90: '#ff7f0e', p99: '#d62728', completed: '#2ca02c', failed: '#d62728' };

/** The two panels as one vega-lite spec: runs go to SLICES equal slices by when they ended; vega-lite computes the rest. */
function chartSpec(samples: RunSample[], wallMs: number, title: string, subtitle: string): TopLevelSpec {
  const sliceMs = Math.max(wallMs / SLICES, 1);
  const sliceS = sliceMs / 1000;
  const time = { type: 'quantitative' as const, scale: { domain: [0, SLICES * sliceS], nice: false }, axis: { labelExpr: "datum.label + ' s'" } };
  // Aligned with the plot's left edge, not with the axis labels, whose width differs between the panels.
  const panelTitle = (text: string) => ({ text, anchor: 'start', frame: 'group', fontSize: 12 }) as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle, anchor: 'start', fontSize: 15, subtitleColor: '#555', offset: 14 },
    background: 'white',
    padding: 12,
    config: { font: 'sans-serif', view: { stroke: '#999' }, axis: { labelColor: '#555', titleColor: '#555', titleFontWeight: 'normal' } },
    data: { values: samples },
    transform: [
      { calculate: `min(${SLICES - 1}, floor((datum.startedAtMs + datum.latencyMs) / ${sliceMs}))`, as: 'slice' },
      { calculate: `datum.slice * ${sliceS}`, as: 'startS' },
    ],
    vconcat: [
      {
        width: WIDTH,
        height: 230,
        title: panelTitle('End-to-end latency of the runs ending in each slice'),
        transform: [
          { filter: "datum.outcome === 'completed'" },
          { quantile: 'latencyMs', groupby: ['slice'], probs: [0.5, 0.9, 0.99], as: ['prob', 'ms'] },
          { calculate: "'p' + round(datum.prob * 100)", as: 'percentile' },
          { calculate: `(datum.slice + 0.5) * ${sliceS}`, as: 'midS' },
        ],
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { ...time, field: 'midS', title: null },
          y: { field: 'ms', type: 'quantitative', title: 'ms' },
          color: {
            field: 'percentile',
            type: 'nominal',
            scale: { domain: ['p50', 'p90', 'p99'], range: [COLOURS.p50, COLOURS.p90, COLOURS.p99] },
            legend: { orient: 'right', title: null },
          },
        },
      },
      {
        width: WIDTH,
        height: 150,
        title: panelTitle('Throughput: runs ended per second'),
        // Both ends of each bar are given (x/x2 and y/y2), so the failed part is stacked on the completed one here.
        transform: [
          { calculate: "datum.outcome === 'completed' ? 'completed' : 'failed'", as: 'status' },
          { aggregate: [{ op: 'count', as: 'runs' }], groupby: ['startS', 'status'] },
          { calculate: `datum.runs / ${sliceS}`, as: 'perSecond' },
          { calculate: `datum.startS + ${sliceS}`, as: 'endS' },
          { stack: 'perSecond', groupby: ['startS'], sort: [{ field: 'status' }], as: ['from', 'to'] },
        ],
        mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { ...time, field: 'startS', title: 'time since the first start (s)' },
          x2: { field: 'endS' },
          y: { field: 'to', type: 'quantitative', title: 'runs/s' },
          y2: { field: 'from' },
          color: {
            field: 'status',
            type: 'nominal',
            scale: { domain: ['completed', 'failed'], range: [COLOURS.completed, COLOURS.failed] },
            legend: { orient: 'right', title: null },
          },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

export async function chartSvg(samples: RunSample[], wallMs: number, title: string, subtitle: string): Promise<string> {
  const view = new View(parse(compile(chartSpec(samples, wallMs, title, subtitle)).spec), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
