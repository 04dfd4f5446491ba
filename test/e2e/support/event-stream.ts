import { EventSource } from 'eventsource';
import { CollectedEvent, KNOWN_EVENT_TYPES, toCollected } from '../../support/sse-client';

export interface EventStreamOptions {
  token: string;
  /** Sent as Last-Event-ID on the first request. */
  lastEventId?: string;
  /** Custom event types to listen for besides the known ones. */
  types?: string[];
}

export interface EventStreamHandle {
  /** Everything received so far, in arrival order. */
  readonly events: CollectedEvent[];
  /** Resolves at `stream.ready`: from then on, live events reach this stream. */
  ready: Promise<void>;
  /** Resolves with all events so far once `done` holds for one of them. */
  waitFor(done: (ev: CollectedEvent) => boolean, timeoutMs?: number): Promise<CollectedEvent[]>;
  close(): void;
}

/**
 * An EventSource (the `eventsource` package, a spec-conformant parser) that a
 * test keeps open while it acts: unlike collectEvents, it says when the stream
 * is ready, so "live only" can be tested without racing the connect.
 */
export function openEventStream(url: string, opts: EventStreamOptions): EventStreamHandle {
  const events: CollectedEvent[] = [];
  const waiters = new Set<() => void>();
  let failure: Error | null = null;
  const es = new EventSource(url, {
    fetch: (input, init) => {
      const headers: Record<string, string> = { ...init.headers, Authorization: `Bearer ${opts.token}` };
      if (opts.lastEventId !== undefined && !init.headers['Last-Event-ID']) headers['Last-Event-ID'] = opts.lastEventId;
      return fetch(input, { ...init, headers });
    },
  });
  const notify = () => {
    for (const wake of [...waiters]) wake();
  };
  for (const type of new Set<string>([...KNOWN_EVENT_TYPES, ...(opts.types ?? [])])) {
    es.addEventListener(type, (ev: MessageEvent) => {
      events.push(toCollected(ev));
      notify();
    });
  }
  es.addEventListener('error', (ev) => {
    if (es.readyState !== EventSource.CLOSED) return;
    failure = new Error(`stream ${url} closed: ${ev.code ? `HTTP ${ev.code}` : (ev.message ?? 'disconnected')}`);
    notify();
  });

  const waitFor: EventStreamHandle['waitFor'] = (done, timeoutMs = 15_000) =>
    new Promise((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < events.length; seen++) {
          if (done(events[seen])) return finish(null);
        }
        if (failure) finish(failure);
      };
      const finish = (error: Error | null) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolve([...events]);
      };
      const timer = setTimeout(() => {
        const last = events.slice(-10).map((e) => `${e.type}#${e.lastEventId || '-'}`);
        finish(new Error(`no matching event on ${url} within ${timeoutMs} ms; ${events.length} received, last: ${last.join(' ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    events,
    ready: waitFor((ev) => ev.type === 'stream.ready').then(() => undefined),
    waitFor,
    close: () => es.close(),
  };
}
