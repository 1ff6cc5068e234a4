// Carries out the planned kills while the workflows run. Each kill happens just before a given workflow
// is started, so runs are in flight through it and more start after it; the next kill waits until the
// process of the one before is back, so two planned kills never meet.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosEvent, ChaosTarget } from './plan.ts';
import type { LocalStack } from '../support/local-stack.ts';

export interface ChaosDone {
  target: ChaosTarget;
  /** Workflows running when it was killed. */
  inFlight: number;
  downMs: number;
  /** From the kill until it was ready again (for the worker: polling, after bundling the workflows). */
  backAfterMs: number;
}

export class ChaosEvents {
  readonly done: ChaosDone[] = [];
  private next = 0;
  private previous: Promise<void> = Promise.resolve();
  private readonly events: ChaosEvent[];
  private readonly stack: LocalStack;
  private readonly inFlight: () => number;
  private readonly say: (line: string) => void;

  constructor(events: ChaosEvent[], stack: LocalStack, inFlight: () => number, say: (line: string) => void) {
    this.events = events;
    this.stack = stack;
    this.inFlight = inFlight;
    this.say = say;
  }

  /** Called before workflow `index` starts: carries out every kill due by then. Resolves once the kills are done. */
  async before(index: number): Promise<void> {
    while (this.next < this.events.length && this.events[this.next]!.beforeStart <= index) {
      const event = this.events[this.next++]!;
      const label = `chaos ${this.next}/${this.events.length}:`;
      await this.previous;
      const inFlight = this.inFlight();
      const killedAt = performance.now();
      await this.stack.kill(event.target);
      this.say(`${label} SIGKILL ${event.target}, ${inFlight} workflow${inFlight === 1 ? '' : 's'} in flight; down for ${seconds(event.downMs)}`);
      this.previous = this.bringBack(label, event, inFlight, killedAt);
      // Awaited by the next kill or by finish(); marked handled so a failed restart is not an unhandled rejection meanwhile.
      this.previous.catch(() => {});
    }
  }

  /** Carries out any kill not yet due (every workflow was started) and waits until every process is back. */
  async finish(): Promise<void> {
    await this.before(Number.POSITIVE_INFINITY);
    await this.previous;
  }

  private async bringBack(label: string, event: ChaosEvent, inFlight: number, killedAt: number): Promise<void> {
    await sleep(event.downMs);
    await this.stack.restart(event.target);
    const backAfterMs = performance.now() - killedAt;
    this.done.push({ target: event.target, inFlight, downMs: event.downMs, backAfterMs });
    const again = event.target === 'worker' ? 'polling' : 'listening';
    this.say(`${label} ${event.target} ${again} again (pid ${this.stack.pid(event.target)}), ${seconds(backAfterMs)} after the kill`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
