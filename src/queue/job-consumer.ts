import { JobHandler } from './job-queue';

/** The worker side of the queue: takes jobs and hands them to the handler. */
export abstract class JobConsumer {
  abstract start(handler: JobHandler): Promise<void>;
  /** Stops taking jobs and waits for running ones (they continue elsewhere if cut off). */
  abstract stop(): Promise<void>;
}
