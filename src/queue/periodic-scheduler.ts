/**
 * Runs maintenance tasks every so often, once per deployment rather than once
 * per process: a BullMQ job scheduler in distributed mode, a timer in embedded mode.
 */
export abstract class PeriodicScheduler {
  abstract schedule(name: string, everyMs: number, task: () => Promise<void>): Promise<void>;
  abstract stop(): Promise<void>;
}
