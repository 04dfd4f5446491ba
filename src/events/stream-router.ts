import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { EventBus } from './event-bus';
import { EventStore, StoreCursor } from './event-store';
import { ChannelSubscriber, UserChannel } from './user-channel';
import { HeraldMetrics } from '../metrics/herald-metrics';

export interface Attached {
  /** Every event with a higher id will be delivered to the subscriber, in order. */
  joinedAt: number;
  /**
   * The store's cursor, when this attach read it to open the user's channel:
   * read after the caller arrived, so the caller may use it instead of reading it again.
   */
  cursor?: StoreCursor;
}

/** Reads a user's store cursor: EventStore.cursor, or cursorWithPage for a stream about to replay. */
export type CursorReader = (userId: string) => Promise<StoreCursor>;

interface Opened {
  channel: UserChannel;
  cursor?: StoreCursor;
}

/**
 * Routes bus events to the connections of their user: a map lookup per event,
 * never a scan of every connection. Channels exist only while their user has a
 * subscriber in this process.
 */
@Injectable()
export class StreamRouter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StreamRouter.name);
  private readonly channels = new Map<string, UserChannel>();
  private readonly opening = new Map<string, Promise<UserChannel>>();
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly bus: EventBus,
    private readonly store: EventStore,
    private readonly metrics: HeraldMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriptions.push(
      this.bus.events$.subscribe((events) => {
        this.metrics.receivedFromBus(events);
        for (const event of events) this.channels.get(event.userId)?.offer(event);
      }),
      this.bus.reconnected$.subscribe(() => void this.resyncAll()),
    );
    // Before the first stream opens: a channel's cursor is only good if the bus was already listening.
    await this.bus.listen();
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  get userCount(): number {
    return this.channels.size;
  }

  /**
   * Registers a subscriber and returns the id it starts after. Anything up to
   * that id the caller reads from the store itself. If this attach opens the
   * user's channel, it reads the store's cursor with `readCursor` (a resuming
   * stream reads its first replay page in the same statement) and hands it back.
   */
  async attach(userId: string, subscriber: ChannelSubscriber, readCursor?: CursorReader): Promise<Attached> {
    const { channel, cursor } = await this.channelFor(userId, readCursor ?? ((u) => this.store.cursor(u)));
    channel.subscribers.add(subscriber);
    return { joinedAt: channel.cursor, cursor };
  }

  detach(userId: string, subscriber: ChannelSubscriber): void {
    const channel = this.channels.get(userId);
    // A subscriber that never joined must not remove a channel another connection is still opening.
    if (!channel || !channel.subscribers.delete(subscriber)) return;
    if (channel.subscribers.size === 0) this.channels.delete(userId);
  }

  /** Only the caller that opens the channel gets the cursor: others may have arrived after it was read. */
  private async channelFor(userId: string, readCursor: CursorReader): Promise<Opened> {
    const pending = this.opening.get(userId);
    if (pending) return { channel: await pending };
    const existing = this.channels.get(userId);
    if (existing) return { channel: existing };
    const opened = this.open(userId, readCursor);
    const channel = opened.then((o) => o.channel);
    // Waiters see the failure through their own await; this copy must not count as unhandled.
    channel.catch(() => undefined);
    this.opening.set(userId, channel);
    try {
      return await opened;
    } finally {
      this.opening.delete(userId);
    }
  }

  private async open(userId: string, readCursor: CursorReader): Promise<Opened> {
    const channel = new UserChannel(userId, (u, after, before) =>
      this.store.read(u, after, {}, before - after - 1, before - 1),
    );
    // Listen before reading the high-water mark: an event published in between is kept, not lost.
    this.channels.set(userId, channel);
    try {
      const cursor = await readCursor(userId);
      channel.open(cursor.lastId);
      return { channel, cursor };
    } catch (error) {
      this.channels.delete(userId);
      throw error;
    }
  }

  private async resyncAll(): Promise<void> {
    this.logger.warn(`event bus reconnected; re-reading ${this.channels.size} users from the store`);
    for (const channel of this.channels.values()) {
      try {
        const { lastId } = await this.store.cursor(channel.userId);
        channel.resync(lastId);
      } catch (error) {
        this.logger.error(`resync of ${channel.userId} failed: ${(error as Error).message}`);
      }
    }
  }
}
