import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { EventTypes, TERMINAL_EVENT_TYPES } from '@herald/contracts';
import { EventFilter, matchesFilter } from './event-filter';
import { ChannelSubscriber } from './user-channel';
import { StoredEvent } from './stored-event';

export interface SseConnectionOptions {
  userId: string;
  view: string;
  filter: EventFilter;
  maxBufferedBytes: number;
  /** The operation view ends its response after this operation's terminal event. */
  endAfterTerminalOf?: string;
  onClose: (connection: SseConnection) => void;
  /** Called for every stored event written to the socket (metrics). */
  onWrite?: (event: StoredEvent, replayed: boolean) => void;
}

/**
 * One SSE response. While it replays stored events it holds live ones back;
 * afterwards it writes live events as they come. Ids below what it already
 * wrote are dropped, so replay and live never repeat or interleave. A client
 * that does not read is cut off once its unsent bytes pass the bound; it
 * resumes with Last-Event-ID.
 */
export class SseConnection implements ChannelSubscriber {
  readonly id = randomUUID();
  /** Highest id this connection has accounted for (written, or skipped by its filter). */
  lastId = 0;
  private held: StoredEvent[] | null = [];
  private heldBytes = 0;
  private closed = false;
  private corked = false;

  constructor(
    private readonly res: Response,
    readonly options: SseConnectionOptions,
  ) {
    res.on('close', () => this.close());
    // A client that left during authentication or a lookup has already fired 'close', which no
    // late listener sees: without this the connection would hold its slot and subscription forever.
    if (res.destroyed) this.closed = true;
  }

  get userId(): string {
    return this.options.userId;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  deliver(event: StoredEvent): void {
    if (this.closed) return;
    if (this.held) {
      // Bounded by what is held already, like the socket below, so one event larger than the bound still gets through.
      if (this.heldBytes > this.options.maxBufferedBytes) return this.destroy();
      this.held.push(event);
      this.heldBytes += event.frame.length;
      return;
    }
    this.emit(event);
  }

  /** Writes a stored event during replay; resolves when the socket can take more. */
  async replay(event: StoredEvent): Promise<void> {
    this.emit(event, true);
    if (!this.closed && this.res.writableNeedDrain) await this.drained();
  }

  /** Replay is over: everything up to `through` is accounted for; release what was held. */
  goLive(through: number): void {
    this.lastId = Math.max(this.lastId, through);
    const held = this.held ?? [];
    this.held = null;
    this.heldBytes = 0;
    for (const event of held) this.emit(event);
  }

  writeRaw(text: string): void {
    if (this.closed) return;
    this.write(text);
  }

  writeUnsequenced(type: string, data: object): void {
    this.writeRaw(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  heartbeat(asEvent: boolean): void {
    if (asEvent) this.writeUnsequenced(EventTypes.heartbeat, { serverTime: new Date().toISOString() });
    else this.writeRaw(': keep-alive\n\n');
  }

  end(): void {
    if (this.closed) return;
    this.res.end();
    this.close();
  }

  /** Tears the socket down without a clean end: used for slow consumers, so the client reconnects. */
  destroy(): void {
    if (this.closed) return;
    this.res.destroy();
    this.close();
  }

  private emit(event: StoredEvent, replayed = false): void {
    if (this.closed) return;
    if (event.seq !== null) {
      if (event.seq <= this.lastId) return;
      this.lastId = event.seq;
    }
    if (matchesFilter(this.options.filter, event)) {
      this.write(event.frame);
      this.options.onWrite?.(event, replayed);
    }
    // The operation view ends at its terminal event even when a `types` filter hid it.
    if (
      this.options.endAfterTerminalOf !== undefined &&
      event.operationId === this.options.endAfterTerminalOf &&
      TERMINAL_EVENT_TYPES.includes(event.type)
    ) {
      this.end();
    }
  }

  private write(text: string): void {
    if (!this.corked) {
      // What is still unsent when a tick begins was left by earlier ones: a client that reads
      // would have taken it. Judged here rather than after each write, a client is never cut
      // off for the size of what is being written now — one event may exceed the bound.
      if (this.res.writableLength > this.options.maxBufferedBytes) return this.destroy();
      // Events delivered in one tick leave in one TCP write.
      this.corked = true;
      this.res.cork();
      process.nextTick(() => {
        this.corked = false;
        this.res.uncork();
      });
    }
    this.res.write(text);
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = null;
    this.options.onClose(this);
  }
}
