import { Logger } from '@nestjs/common';
import { PeriodicScheduler } from './periodic-scheduler';

/** Embedded mode: one process, so a timer is the whole deployment. Runs never overlap. */
export class TimerPeriodicScheduler extends PeriodicScheduler {
  private readonly logger = new Logger(TimerPeriodicScheduler.name);
  private readonly timers: NodeJS.Timeout[] = [];

  async schedule(name: string, everyMs: number, task: () => Promise<void>): Promise<void> {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      task()
        .catch((error: Error) => this.logger.warn(`${name} failed: ${error.message}`))
        .finally(() => (running = false));
    }, everyMs);
    timer.unref();
    this.timers.push(timer);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
  }
}
