import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { EventBus } from './event-bus';
import { EventStore } from './event-store';
import { ChannelSubscriber, UserChannel } from './user-channel';
import { HeraldMetrics } from '../metrics/herald-metrics';

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

  onModuleInit(): void {
    this.subscriptions.push(
      this.bus.events$.subscribe((events) => {
        this.metrics.receivedFromBus(events);
        for (const event of events) this.channels.get(event.userId)?.offer(event);
      }),
      this.bus.reconnected$.subscribe(() => void this.resyncAll()),
    );
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  get userCount(): number {
    return this.channels.size;
  }

  /**
   * Registers a subscriber and returns the id it starts after: every event with
   * a higher id will be delivered to it, in order. Anything up to that id the
   * caller reads from the store itself.
   */
  async attach(userId: string, subscriber: ChannelSubscriber): Promise<number> {
    const channel = await this.channelFor(userId);
    channel.subscribers.add(subscriber);
    return channel.cursor;
  }

  detach(userId: string, subscriber: ChannelSubscriber): void {
    const channel = this.channels.get(userId);
    // A subscriber that never joined must not remove a channel another connection is still opening.
    if (!channel || !channel.subscribers.delete(subscriber)) return;
    if (channel.subscribers.size === 0) this.channels.delete(userId);
  }

  private channelFor(userId: string): Promise<UserChannel> {
    let pending = this.opening.get(userId);
    if (pending) return pending;
    const existing = this.channels.get(userId);
    if (existing) return Promise.resolve(existing);
    pending = this.open(userId).finally(() => this.opening.delete(userId));
    this.opening.set(userId, pending);
    return pending;
  }

  private async open(userId: string): Promise<UserChannel> {
    const channel = new UserChannel(userId, (u, after, before) =>
      this.store.read(u, after, {}, before - after - 1, before - 1),
    );
    // Listen before reading the high-water mark: an event published in between is kept, not lost.
    this.channels.set(userId, channel);
    try {
      const { lastId } = await this.store.cursor(userId);
      channel.open(lastId);
      return channel;
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
