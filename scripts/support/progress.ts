// The progress of the long-running scripts (load, bench:overhead) on stderr, drawn by cli-progress: redrawn
// in place on a terminal; off a terminal (a CI log, a pipe) one plain line at the start and one per tenth of
// the way, so logs stay readable.
import cliProgress, { type Options, type Params } from 'cli-progress';

const { Format, SingleBar } = cliProgress;

/** Call `update(done)` after each item ends; the bar stops itself when `done` reaches the total. */
export function progressBar(total: number, label: string): { update(done: number): void } {
  const stream = process.stderr;
  const tty = stream.isTTY === true;
  const format = (options: Options, params: Params): string => {
    const seconds = (Date.now() - params.startTime) / 1000;
    const rate = seconds > 0 ? params.value / seconds : 0;
    // cli-progress's estimate, over the last updates.
    const left = params.value < params.total && params.eta > 0 && params.eta < Infinity ? `, about ${params.eta} s left` : '';
    const bar = tty ? ` [${Format.BarFormat(params.progress, options)}]` : '';
    return `${label}${bar} ${params.value}/${params.total} (${Math.floor(params.progress * 100)}%), ${rate.toFixed(1)}/s${left}`;
  };
  const bar = new SingleBar({
    stream,
    format,
    fps: 5,
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    // Off a terminal cli-progress would print a line on a timer; here a line is rendered per tenth instead.
    noTTYOutput: true,
    notTTYSchedule: 2 ** 31 - 1,
    // Off a terminal this only drops the blank line cli-progress adds after the last one.
    clearOnComplete: !tty,
  });
  bar.start(total, 0);
  let lastTenth = 0;
  return {
    update(done) {
      const tenth = Math.floor((done / total) * 10);
      if (!tty && tenth <= lastTenth) return;
      lastTenth = tenth;
      bar.update(done);
      if (done >= total) bar.stop();
      else if (!tty) bar.render();
    },
  };
}
