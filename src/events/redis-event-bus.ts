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
 */
export class RedisEventBus extends EventBus implements OnModuleDestroy {
  private readonly logger = new Logger(RedisEventBus.name);
  private readonly subject = new Subject<StoredEvent[]>();
  private readonly reconnects = new Subject<void>();
  readonly events$ = this.subject.asObservable();
  readonly reconnected$ = this.reconnects.asObservable();
  private readonly channel: string;
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
    await this.publisher.publish(this.channel, JSON.stringify(wire));
  }

  private receive(message: string): void {
    try {
      const wire = JSON.parse(message) as WireEvent[];
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
