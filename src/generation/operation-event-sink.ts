import { EventWriter } from '../events/event-writer';
import { NewEvent } from '../events/new-event';

/** Thrown once nothing more of the operation is stored: it ended elsewhere (cancelled, timed out, failed). */
export class OperationEnded extends Error {}

const MAX_PENDING_EVENTS = 256;

/**
 * One operation's stream of events into the writer, in order, with at most one
 * write in flight. What the generator produces while a write commits goes into
 * the next write together, so a busy database slows the commits, not the model:
 * waiting for every chunk's own commit capped an operation at one chunk per
 * commit (500 generations gave 12,400 chunks/s for 20,000 offered). Because a
 * write starts only after the previous one succeeded, a failed write can never
 * be followed by a later chunk of the same operation: no index gap.
 */
export class OperationEventSink {
  private pending: NewEvent[] = [];
  private inFlight: Promise<void> | null = null;
  private failure: unknown = null;
  private ended = false;

  constructor(private readonly writer: EventWriter) {}

  /** Queues the events; waits only while too much is pending. Throws if an earlier write failed or the operation ended. */
  async push(events: NewEvent[]): Promise<void> {
    this.throwIfStopped();
    this.pending.push(...events);
    this.inFlight ??= this.drain();
    while (this.pending.length >= MAX_PENDING_EVENTS && this.inFlight) await this.inFlight;
    this.throwIfStopped();
  }

  /** Waits until everything pushed is stored; throws like push. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    this.throwIfStopped();
  }

  /** Waits for the write in flight without caring how it ended, and drops the rest: the operation is ending. */
  async abandon(): Promise<void> {
    this.pending = [];
    while (this.inFlight) await this.inFlight;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.ended) {
        const batch = this.pending;
        this.pending = [];
        const stored = await this.writer.write(batch);
        // The store drops an ended operation's events, all of them: a short answer means it ended.
        if (stored.length < batch.length) this.ended = true;
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.inFlight = null;
    }
  }

  private throwIfStopped(): void {
    if (this.failure !== null) throw this.failure;
    if (this.ended) throw new OperationEnded();
  }
}
