import { Injectable, Logger } from '@nestjs/common';
import { SqlDatabase } from '../infra/database/sql-database';
import { EventBus } from './event-bus';
import { EventStore } from './event-store';
import { NewEvent } from './new-event';
import { StoredEvent } from './stored-event';
import { isTransientDbError } from '../infra/database/transient-errors';

interface Pending {
  events: NewEvent[];
  resolve: (stored: (StoredEvent | null)[]) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH_EVENTS = 2000;
const RETRY_DELAYS_MS = [50, 100, 250, 500, 1000, 2000, 4000, 8000, 8000];

/**
 * Group commit, in lanes. A user's events always go through the same lane;
 * each lane runs one transaction at a time, and everything written while it is
 * in flight goes into the lane's next one. So one producer's events commit in
 * the order it wrote them, a busy worker writes many chunks per commit, and
 * the lanes' transactions (disjoint users, hence disjoint rows) run side by
 * side instead of one large transaction holding every user's counter row.
 * Events are published after commit.
 */
@Injectable()
export class EventWriter {
  private readonly lanes: WriterLane[];

  constructor(db: SqlDatabase, store: EventStore, bus: EventBus) {
    this.lanes = Array.from({ length: db.writeLanes }, () => new WriterLane(db, store, bus));
  }

  /** Stores the events and publishes them; resolves with what was stored (ended operations' events are dropped). */
  async write(events: NewEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const byLane = new Map<WriterLane, number[]>();
    events.forEach((e, i) => {
      const lane = this.laneOf(e.userId);
      const indexes = byLane.get(lane);
      if (indexes) indexes.push(i);
      else byLane.set(lane, [i]);
    });
    if (byLane.size === 1) return present(await [...byLane.keys()][0].write(events));
    // Events of several users: each user's part goes through that user's lane, and the answer keeps the input order.
    const aligned: (StoredEvent | null)[] = new Array(events.length).fill(null);
    await Promise.all(
      [...byLane].map(async ([lane, indexes]) => {
        const stored = await lane.write(indexes.map((i) => events[i]));
        indexes.forEach((index, k) => (aligned[index] = stored[k]));
      }),
    );
    return present(aligned);
  }

  private laneOf(userId: string): WriterLane {
    if (this.lanes.length === 1) return this.lanes[0];
    let hash = 0;
    for (let i = 0; i < userId.length; i++) hash = (Math.imul(hash, 31) + userId.charCodeAt(i)) | 0;
    return this.lanes[(hash >>> 0) % this.lanes.length];
  }
}

/** One transaction at a time; what queues meanwhile is the next batch. */
class WriterLane {
  private readonly logger = new Logger(EventWriter.name);
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly bus: EventBus,
  ) {}

  /** Resolves aligned with the input: null where an event was dropped. */
  write(events: NewEvent[]): Promise<(StoredEvent | null)[]> {
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
        await this.publishQuietly(present(aligned));
        this.settle(batch, aligned);
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

  private async commitWithRetry(events: NewEvent[]): Promise<(StoredEvent | null)[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction((tx) => this.store.appendInTransaction(tx, events));
      } catch (error) {
        if (!isTransientDbError(error) || attempt >= RETRY_DELAYS_MS.length) throw error;
        this.logger.warn(`event write failed (${(error as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      }
    }
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
      p.resolve(aligned.slice(offset, offset + p.events.length));
      offset += p.events.length;
    }
  }
}

function present(events: (StoredEvent | null)[]): StoredEvent[] {
  return events.filter((e): e is StoredEvent => e !== null);
}
