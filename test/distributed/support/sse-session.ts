import { ClientRequest, IncomingHttpHeaders, request } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** The `id:` field of this event, or null when it had none (stream.ready, stream.gap, heartbeat). */
  id: string | null;
  type: string;
  data: string;
  /** Date.now() when the event was dispatched. */
  at: number;
}

/**
 * One SSE request with exact control over when it is dropped: unlike
 * EventSource it never reconnects by itself, can be destroyed at any moment
 * (even before the response starts), and keeps every dispatched event. The
 * parser follows the WHATWG event-stream rules (CR, LF and CRLF line ends;
 * an event is dispatched only at its blank line, so one cut off mid-way is
 * never seen).
 */
export class SseSession {
  status = 0;
  headers: IncomingHttpHeaders = {};
  readonly events: SseEvent[] = [];
  /** True once the server ended the response properly (as opposed to a reset, a crash or close()). */
  endedCleanly = false;
  /** Resolves when the response ends, the socket fails, or close() is called. */
  readonly ended: Promise<void>;
  onEvent?: (event: SseEvent) => void;
  private readonly req: ClientRequest;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private data: string[] = [];
  private type = '';
  private id: string | null = null;
  private sawId = false;

  constructor(url: string, headers: Record<string, string>) {
    let finish: () => void = () => undefined;
    this.ended = new Promise<void>((resolve) => (finish = resolve));
    this.req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      res.on('data', (chunk: Buffer) => this.feed(this.decoder.write(chunk)));
      res.on('end', () => {
        this.endedCleanly = true;
        finish();
      });
      res.on('close', finish);
      res.on('error', finish);
    });
    this.req.on('error', finish);
    this.req.on('close', finish);
    this.req.end();
  }

  /** Drops the connection as a client losing its network would: no clean end. */
  close(): void {
    this.req.destroy();
  }

  /** Ids of the events received with an `id:` field, in arrival order. */
  ids(): string[] {
    return this.events.filter((e) => e.id !== null).map((e) => e.id as string);
  }

  private feed(text: string): void {
    const buffer = this.pending + text;
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = lineEnd.exec(buffer); m; m = lineEnd.exec(buffer)) {
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (m[0] === '\r' && m.index === buffer.length - 1) break;
      this.line(buffer.slice(start, m.index));
      start = m.index + m[0].length;
    }
    this.pending = buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) {
      this.id = value;
      this.sawId = true;
    }
  }

  private dispatch(): void {
    const hadData = this.data.length > 0;
    const event: SseEvent = {
      id: this.sawId ? this.id : null,
      type: this.type || 'message',
      data: this.data.join('\n'),
      at: Date.now(),
    };
    this.data = [];
    this.type = '';
    this.sawId = false;
    if (!hadData) return;
    this.events.push(event);
    this.onEvent?.(event);
  }
}
