import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { SqlDatabase } from '../infra/database/sql-database';
import { EventBus } from './event-bus';
import { EventStore } from './event-store';
import { NewEvent } from './new-event';
import { PlainAppend } from './plain-append';
import { RetentionPolicy } from './retention-policy';
import { StoredEvent } from './stored-event';
import { isTransientDbError } from '../infra/database/transient-errors';

/** One batch's write, retried as a whole. */
interface Attempt {
  run(): Promise<(StoredEvent | null)[]>;
  /** After a failure that may have committed: the stored result if it did, null if it did not. */
  landed(): Promise<(StoredEvent | null)[] | null>;
}

interface Pending {
  events: NewEvent[];
  resolve: (stored: StoredEvent[]) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH_EVENTS = 2000;
const RETRY_DELAYS_MS = [50, 100, 250, 500, 1000, 2000, 4000, 8000, 8000];

/**
 * Group commit: everything written while a transaction is in flight goes into
 * the next one, so a busy worker writes many chunks per commit and an idle one
 * commits at once. One write at a time per process keeps a producer's
 * events in the order it wrote them. Events are published after commit, in
 * commit order; a caller is answered once its batch's publish is acknowledged.
 */
@Injectable()
export class EventWriter {
  private readonly logger = new Logger(EventWriter.name);
  private queue: Pending[] = [];
  private flushing = false;
  /** This process's row in herald_event_writer_marks, and the number of its latest plain batch. */
  private readonly writerId = randomUUID();
  private batches = 0;

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly bus: EventBus,
    private readonly retention: RetentionPolicy,
  ) {}

  /** Stores the events and publishes them; resolves with what was stored (ended operations' events are dropped). */
  write(events: NewEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        const aligned = await this.commitWithRetry(batch.flatMap((p) => p.events));
        // The next batch need not wait for Redis to acknowledge this one: publishes leave
        // in order on one connection, and this batch's callers still wait for the ack.
        void this.publishQuietly(aligned.filter((e): e is StoredEvent => e !== null)).then(() => this.settle(batch, aligned));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }

  private takeBatch(): Pending[] {
    let count = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || count + this.queue[n].events.length <= MAX_BATCH_EVENTS)) {
      count += this.queue[n].events.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  /**
   * Retries what failed for a reason that may pass. A connection lost while
   * committing leaves it unknown whether the commit happened: before storing
   * the batch again (under new ids, so clients would see it twice) the retry
   * asks the attempt whether it landed.
   */
  private async commitWithRetry(events: NewEvent[]): Promise<(StoredEvent | null)[]> {
    const attempt = this.attemptFor(events);
    let uncertain = false;
    for (let n = 0; ; n++) {
      try {
        if (uncertain) {
          const landed = await attempt.landed();
          if (landed) return landed;
          uncertain = false;
        }
        return await attempt.run();
      } catch (error) {
        if (!isTransientDbError(error) || n >= RETRY_DELAYS_MS.length) throw error;
        uncertain = true;
        this.logger.warn(`event write failed (${(error as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[n]));
      }
    }
  }

  /**
   * Plain events (no operation rule to apply) go in one statement. Others run
   * the rules in a transaction; whether its lost COMMIT landed is told by the
   * first event it wrote, looked up by id, time and data.
   */
  private attemptFor(events: NewEvent[]): Attempt {
    if (!events.some((e) => e.type.startsWith('operation.'))) {
      return new PlainAppend(this.db, this.retention, events, { writerId: this.writerId, batch: ++this.batches });
    }
    let written: (StoredEvent | null)[] | null = null;
    return {
      run: () => {
        written = null;
        return this.db.transaction(async (tx) => (written = await this.store.appendInTransaction(tx, events)));
      },
      landed: async () => (written !== null && (await this.store.holds(written)) ? written : null),
    };
  }

  /** A lost publish is repaired by readers from the store, so it must not fail the write. */
  private async publishQuietly(stored: StoredEvent[]): Promise<void> {
    try {
      await this.bus.publish(stored);
    } catch (error) {
      this.logger.warn(`publish failed after commit: ${(error as Error).message}`);
    }
  }

  /** Hands each caller back its own slice of the aligned result. */
  private settle(batch: Pending[], aligned: (StoredEvent | null)[]): void {
    let offset = 0;
    for (const p of batch) {
      const mine = aligned.slice(offset, offset + p.events.length);
      offset += p.events.length;
      p.resolve(mine.filter((e): e is StoredEvent => e !== null));
    }
  }
}
