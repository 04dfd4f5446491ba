import { EventSource } from 'eventsource';

export interface LoggedRequest {
  at: number;
  lastEventId: string | undefined;
  status: number;
}

export interface LoggedEvent {
  type: string;
  lastEventId: string;
  data: string;
  at: number;
}

export interface EventSourceLog {
  requests: LoggedRequest[];
  events: LoggedEvent[];
  es: EventSource;
  /** Resolves once the EventSource has given up for good (readyState CLOSED). */
  closed: Promise<void>;
}

/**
 * An EventSource left to its own reconnect logic, with every request it makes
 * (and the Last-Event-ID it sends) and every event it dispatches recorded.
 */
export function watchEventSource(url: string, token: string, types: string[]): EventSourceLog {
  const requests: LoggedRequest[] = [];
  const events: LoggedEvent[] = [];
  const es = new EventSource(url, {
    fetch: async (input, init) => {
      const request: LoggedRequest = { at: Date.now(), lastEventId: init.headers['Last-Event-ID'], status: 0 };
      requests.push(request);
      const res = await fetch(input, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
      request.status = res.status;
      return res;
    },
  });
  for (const type of types) {
    es.addEventListener(type, (ev: MessageEvent) =>
      events.push({ type: ev.type, lastEventId: ev.lastEventId, data: String(ev.data), at: Date.now() }),
    );
  }
  const closed = new Promise<void>((resolve) => {
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) resolve();
    });
  });
  return { requests, events, es, closed };
}
