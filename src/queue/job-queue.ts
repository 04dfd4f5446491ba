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
  /** Removes a job that no worker has taken yet; false when it is running or gone. */
  abstract removeIfWaiting(operationId: string): Promise<boolean>;
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

/** Runs one job; implemented by the generation module, called by whichever consumer the mode uses. */
export abstract class JobHandler {
  abstract handle(job: GenerationJob, signal: AbortSignal): Promise<JobOutcome>;
  /** The queue gave up on a job (it stalled too often): the operation must still end. */
  abstract abandon(job: GenerationJob, reason: string): Promise<void>;
}
