import { EventSource } from 'eventsource';

export { openRawStream, type RawStream } from './raw-stream';

// EventSource dispatches an event whose `event:` field is set only to
// listeners of exactly that name (never to `message`), so every type a test
// may see has to be subscribed to explicitly.
export const KNOWN_EVENT_TYPES = [
  'operation.status',
  'operation.progress',
  'operation.content',
  'operation.warning',
  'operation.completed',
  'operation.failed',
  'operation.cancelled',
  'stream.ready',
  'stream.gap',
  'heartbeat',
  'message',
] as const;

export interface CollectedEvent {
  type: string;
  /** The raw `data:` text. */
  data: string;
  /** `id:` of the event; '' for events sent without one (stream.ready, heartbeat, stream.gap). */
  lastEventId: string;
  /** `data` parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface CollectOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as `Last-Event-ID` on the first request; EventSource sets it itself on reconnects. */
  lastEventId?: string;
  /** Resolve as soon as this returns true. Without it, collect until the timeout or until the stream is closed for good. */
  until?: (ev: CollectedEvent, all: CollectedEvent[]) => boolean;
  /** Default 15 s. With `until`, reaching it is an error. */
  timeoutMs?: number;
  /** Custom event types (e.g. `system.save.completed`) to listen for in addition to the known ones. */
  types?: string[];
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** false: treat the first disconnect as the end instead of letting EventSource reconnect. Default true. */
  reconnect?: boolean;
}

/** A received EventSource event as the tests keep it: its data, and the data parsed as JSON when it is JSON. */
export function toCollected(ev: MessageEvent): CollectedEvent {
  const data = String(ev.data);
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    json = undefined;
  }
  return { type: ev.type, data, lastEventId: ev.lastEventId, json };
}

function summarize(events: CollectedEvent[]): string {
  const last = events.slice(-20).map((e) => `${e.type}#${e.lastEventId || '-'}`);
  return `${events.length} event(s) received${last.length ? `, last: ${last.join(' ')}` : ''}`;
}

/** Opens an EventSource on `url` and collects the events it receives. */
export function collectEvents(url: string, opts: CollectOptions = {}): Promise<CollectedEvent[]> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const events: CollectedEvent[] = [];
  const extraHeaders: Record<string, string> = { ...opts.headers };
  if (opts.token) extraHeaders.Authorization = `Bearer ${opts.token}`;

  return new Promise((resolve, reject) => {
    const es = new EventSource(url, {
      fetch: (input, init) => {
        const headers: Record<string, string> = { ...extraHeaders, ...init.headers };
        if (opts.lastEventId !== undefined && !init.headers['Last-Event-ID']) headers['Last-Event-ID'] = opts.lastEventId;
        return fetch(input, { ...init, headers });
      },
    });
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      es.close();
      if (err) reject(err);
      else resolve(events);
    };
    const timer = setTimeout(() => {
      if (opts.until) finish(new Error(`collectEvents(${url}): condition not met within ${timeoutMs} ms; ${summarize(events)}`));
      else finish();
    }, timeoutMs);

    const onEvent = (ev: MessageEvent) => {
      if (settled) return;
      const collected = toCollected(ev);
      events.push(collected);
      if (opts.until?.(collected, events)) finish();
    };
    for (const type of new Set<string>([...KNOWN_EVENT_TYPES, ...(opts.types ?? [])])) {
      es.addEventListener(type, onEvent);
    }

    es.addEventListener('error', (ev) => {
      const closedForGood = es.readyState === EventSource.CLOSED;
      if (!closedForGood && opts.reconnect !== false) return;
      // A closed stream (HTTP 204, an error status, or reconnect disabled) is
      // the natural end when no condition was given; otherwise the condition
      // can no longer be met.
      if (!opts.until) return finish();
      const detail = ev.code ? `HTTP ${ev.code}` : (ev.message ?? 'disconnected');
      finish(new Error(`collectEvents(${url}): stream closed (${detail}) before the condition was met; ${summarize(events)}`));
    });
  });
}
