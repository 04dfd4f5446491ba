import { Logger } from '@nestjs/common';
import { StoredEvent } from './stored-event';

/** Receives one user's stored events, in id order, with no gaps and no repeats. */
export interface ChannelSubscriber {
  deliver(event: StoredEvent): void;
}

/** Reads a user's committed events with after < id < before, ascending. */
export type RangeReader = (userId: string, after: number, before: number) => Promise<StoredEvent[]>;

const FILL_PAGE = 1000;

/**
 * One user's live event sequence in this process. Publishing happens after
 * commit, so two writers of one user can publish out of commit order, and a
 * publish can be lost. The channel delivers ids strictly in sequence: an event
 * that arrives early waits while the hole before it is read from the store
 * (committed already, since its id was allocated after the hole's).
 */
export class UserChannel {
  private readonly logger = new Logger(UserChannel.name);
  readonly subscribers = new Set<ChannelSubscriber>();
  /** Highest id delivered; every event up to it has been handed to the subscribers present then. */
  cursor = 0;
  private readonly early = new Map<number, StoredEvent>();
  private filling = false;
  private ready = false;

  constructor(
    readonly userId: string,
    private readonly readRange: RangeReader,
  ) {}

  /** Starts delivering after `lastId`, the user's committed high-water mark when the channel opened. */
  open(lastId: number): void {
    this.cursor = lastId;
    this.ready = true;
    for (const id of [...this.early.keys()].filter((id) => id <= lastId)) this.early.delete(id);
    this.drain();
  }

  offer(event: StoredEvent): void {
    if (event.seq === null) {
      // Live-only events have no place in the sequence: deliver as they come.
      for (const s of this.subscribers) s.deliver(event);
      return;
    }
    if (this.ready && event.seq <= this.cursor) return;
    this.early.set(event.seq, event);
    if (this.ready) this.drain();
  }

  /** Reads anything committed after the cursor: used when the bus may have dropped messages. */
  resync(upTo: number): void {
    if (!this.ready || upTo <= this.cursor) return;
    void this.fill(upTo + 1);
  }

  private drain(): void {
    while (this.early.has(this.cursor + 1)) {
      const next = this.early.get(this.cursor + 1)!;
      this.early.delete(this.cursor + 1);
      this.cursor = next.seq!;
      for (const s of this.subscribers) s.deliver(next);
    }
    if (this.early.size > 0 && !this.filling) {
      void this.fill(Math.min(...this.early.keys()));
    }
  }

  /** Reads the hole (cursor, before) from the store and delivers it, then whatever waited behind it. */
  private async fill(before: number): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      while (this.cursor + 1 < before) {
        const events = await this.readRange(this.userId, this.cursor, Math.min(before, this.cursor + FILL_PAGE + 1));
        if (events.length === 0) {
          // Nothing stored in the hole: retention removed it. Skip rather than stall the user forever.
          this.logger.warn(`user ${this.userId}: ids ${this.cursor + 1}..${before - 1} not in store; skipping`);
          this.cursor = before - 1;
          break;
        }
        for (const e of events) {
          if (e.seq! <= this.cursor) continue;
          this.cursor = e.seq!;
          this.early.delete(e.seq!);
          for (const s of this.subscribers) s.deliver(e);
        }
      }
    } catch (error) {
      this.logger.error(`user ${this.userId}: filling a gap failed: ${(error as Error).message}; retrying`);
      this.filling = false;
      setTimeout(() => this.drain(), 500).unref();
      return;
    }
    this.filling = false;
    this.drain();
  }
}
