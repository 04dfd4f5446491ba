import { Injectable } from '@nestjs/common';
import { EventEnvelope, PolledEvents } from '@herald/contracts';
import { EventFilter } from './event-filter';
import { EventStore } from './event-store';
import { StreamRouter } from './stream-router';
import { ChannelSubscriber } from './user-channel';
import { matchesFilter } from './event-filter';

export interface PollRequest {
  userId: string;
  after: number;
  filter: EventFilter;
  limit: number;
  waitMs: number;
}

/**
 * GET /api/events: the long-polling fallback. Listens before it reads, like a
 * stream, so an event committed between the read and the wait still wakes it.
 */
@Injectable()
export class EventPollService {
  constructor(
    private readonly store: EventStore,
    private readonly router: StreamRouter,
  ) {}

  async poll(req: PollRequest, aborted: AbortSignal): Promise<PolledEvents> {
    let wake: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    const subscriber: ChannelSubscriber = {
      deliver: (event) => {
        if (event.seq !== null && event.seq > req.after && matchesFilter(req.filter, event)) wake();
      },
    };
    const waiting = req.waitMs > 0;
    if (waiting) await this.router.attach(req.userId, subscriber);
    try {
      let page = await this.read(req);
      if (page.events.length === 0 && waiting && !aborted.aborted) {
        await Promise.race([arrived, delay(req.waitMs, aborted)]);
        page = await this.read(req);
      }
      return page;
    } finally {
      if (waiting) this.router.detach(req.userId, subscriber);
    }
  }

  /**
   * Reads the page. When it is not full, lastEventId is the user's committed
   * high-water mark read before the query: nothing up to it matched, so a
   * filtered poller can move past events that are not its own.
   */
  private async read(req: PollRequest): Promise<PolledEvents> {
    const { lastId } = await this.store.cursor(req.userId);
    const events = await this.store.read(req.userId, req.after, req.filter, req.limit, lastId);
    const envelopes = events.map((e) => e.envelope() as EventEnvelope);
    const full = events.length === req.limit;
    const through = full ? events[events.length - 1].seq! : Math.max(lastId, req.after);
    return { events: envelopes, lastEventId: through === 0 ? null : String(through) };
  }
}

function delay(ms: number, aborted: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    aborted.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
