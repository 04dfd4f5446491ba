/** What a queued generation job carries; everything else is read from the operation row. */
export interface GenerationJob {
  operationId: string;
  userId: string;
}

/**
 * Port of the job queue: BullMQ in distributed mode, an in-process runner in
 * embedded mode. The API side only enqueues, removes and asks for cancels.
 */
export abstract class JobQueue {
  /** Adds the job under the operation id; adding an id that is already queued or running is a no-op. */
  abstract enqueue(job: GenerationJob): Promise<void>;
  /** Removes a job no worker is running (not taken yet, or ended while its operation did not); false when it is running or gone. */
  abstract removeIfWaiting(operationId: string): Promise<boolean>;
  /**
   * Makes sure an unfinished operation has a job that will run: a job that
   * ended (failed or completed) while its operation did not runs again; one
   * waiting or running is left alone, so an operation never runs twice at
   * once; a missing one is added only when `addMissing` (the caller judged that
   * nothing can still be running it). True when a job was (re)started.
   */
  abstract revive(job: GenerationJob, addMissing: boolean): Promise<boolean>;
  /** Aborts a running job on whichever worker holds it. */
  abstract requestCancel(operationId: string, reason: string): Promise<void>;
  /** Jobs waiting plus running, for /metrics and /health/ready. */
  abstract depth(): Promise<{ waiting: number; active: number }>;
  abstract ping(): Promise<void>;
}

/**
 * The abort reason a consumer gives its running jobs when its process is
 * stopping: the handler then leaves the operation as it is, and the consumer
 * hands the job back to the queue for another worker to continue.
 */
export const SHUTDOWN_REASON = 'worker shutting down';

export type JobOutcome = 'finished' | 'handed-back';

/**
 * Thrown by a handler that cannot go on for a reason outside its operation
 * (the database is unreachable): nothing about the operation could be
 * recorded, so it is left as it is — never abandoned — and the worker's
 * recovery sweep runs the job again once it can.
 */
export class RetryLaterError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}

/** Runs one job; implemented by the generation module, called by whichever consumer the mode uses. */
export abstract class JobHandler {
  abstract handle(job: GenerationJob, signal: AbortSignal): Promise<JobOutcome>;
  /** The queue gave up on a job (it stalled too often, or threw): the operation must still end. Not called for RetryLaterError. */
  abstract abandon(job: GenerationJob, reason: string): Promise<void>;
}
