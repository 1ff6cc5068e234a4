// A progress bar on stderr for the long-running scripts: redrawn in place at most five times a second on a
// terminal; one plain line per tenth of the way otherwise (a CI log, a pipe), so logs stay readable.
const WIDTH = 30;
const REDRAW_EVERY_MS = 200;

export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly started = performance.now();
  private readonly tty: boolean;
  private lastDraw = 0;
  private lastTenth = 0;
  private readonly write: (text: string) => void;

  constructor(total: number, label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.total = total;
    this.label = label;
    this.tty = stream.isTTY === true;
    this.write = (text) => stream.write(text);
  }

  update(done: number): void {
    const now = performance.now();
    if (this.tty) {
      if (done < this.total && now - this.lastDraw < REDRAW_EVERY_MS) return;
      this.lastDraw = now;
      const filled = Math.round((done / this.total) * WIDTH);
      this.write(`\r${this.label} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${this.describe(done, now)}\x1b[K`);
      if (done === this.total) this.write('\n');
      return;
    }
    const tenth = Math.floor((done / this.total) * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.write(`${this.label} ${this.describe(done, now)}\n`);
    }
  }

  private describe(done: number, now: number): string {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 && done < this.total ? `, about ${Math.ceil((this.total - done) / rate)} s left` : '';
    return `${done}/${this.total} (${Math.floor((done / this.total) * 100)}%), ${rate.toFixed(1)}/s${eta}`;
  }
}
