import { randomBytes } from 'node:crypto';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { Subject } from 'rxjs';
import { EventBus } from './event-bus';
import { StoredEvent } from './stored-event';

interface WireEvent {
  u: string;
  s: number | null;
  t: string;
  o: string | null;
  w: string | null;
  a: string | null;
  d: string;
  ts: string;
}

/**
 * Redis pub/sub between processes: one channel, one message per committed
 * batch. Every API process receives every batch and routes by user locally,
 * which keeps publishing O(1) whatever the number of instances.
 *
 * A listening process hands its own batches to its streams directly, before
 * Redis sees them, and skips them when they come back: a service publishing
 * through the API that holds the user's stream (the single-API case, and any
 * sticky deployment) saves a Redis round trip and a parse per batch, and its
 * events still reach its streams when Redis is down. Each message starts with
 * its sender's origin id and a newline, then the JSON array.
 */
export class RedisEventBus extends EventBus implements OnModuleDestroy {
  private readonly logger = new Logger(RedisEventBus.name);
  private readonly subject = new Subject<StoredEvent[]>();
  private readonly reconnects = new Subject<void>();
  readonly events$ = this.subject.asObservable();
  readonly reconnected$ = this.reconnects.asObservable();
  private readonly channel: string;
  /** Tells this process's messages from others' on the shared channel. */
  private readonly origin = `${randomBytes(8).toString('hex')}\n`;
  private subscriber: Redis | null = null;
  private listening: Promise<void> | null = null;

  constructor(
    private readonly publisher: Redis,
    private readonly openSubscriber: () => Redis,
    prefix: string,
  ) {
    super();
    this.channel = `${prefix}:events`;
  }

  /** Opens the subscriber connection on first call; resolves once Redis confirmed the subscription. */
  listen(): Promise<void> {
    this.listening ??= this.subscribe();
    return this.listening;
  }

  private async subscribe(): Promise<void> {
    const subscriber = (this.subscriber = this.openSubscriber());
    let subscribed = false;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    subscriber.on('ready', () => {
      // ioredis resubscribes by itself; a ready after the first one means we were cut off.
      if (subscribed) this.reconnects.next();
      subscribed = true;
    });
    await subscriber.subscribe(this.channel);
  }

  async publish(events: StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const wire: WireEvent[] = events.map((e) => ({
      u: e.userId,
      s: e.seq,
      t: e.type,
      o: e.operationId,
      w: e.workflowId,
      a: e.agentId,
      d: e.dataJson,
      ts: e.ts,
    }));
    // Sent first, so other processes get the batch whatever the local delivery does.
    const sent = this.publisher.publish(this.channel, this.origin + JSON.stringify(wire));
    // Only a listening process routes streams; its own messages are skipped on receipt.
    if (this.listening !== null) this.subject.next(events);
    await sent;
  }

  private receive(message: string): void {
    if (message.startsWith(this.origin)) return;
    try {
      // A message without an origin line is a bare array, as versions before it sent.
      const json = message.startsWith('[') ? message : message.slice(message.indexOf('\n') + 1);
      const wire = JSON.parse(json) as WireEvent[];
      this.subject.next(wire.map((w) => new StoredEvent(w.u, w.s, w.t, w.o, w.w, w.a, w.d, w.ts)));
    } catch (error) {
      this.logger.error(`dropped a malformed bus message: ${(error as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.subject.complete();
    await this.subscriber?.quit().catch(() => undefined);
  }
}
