/** One dispatched event, as the WHATWG "interpret an event stream" algorithm produces it. */
export interface SseEvent {
  /** The `event:` field, or `message` when there was none. */
  type: string;
  /** The `data:` lines joined with LF. */
  data: string;
  /** The stream's last event ID after this event (it carries over to events without an `id:`). */
  lastEventId: string;
  /** This event's own accepted `id:` field; undefined when it had none (stream.ready, heartbeat, stream.gap). */
  id: string | undefined;
}

export interface SseParserHandlers {
  onEvent(event: SseEvent): void;
  /** A `retry:` field made of ASCII digits only. */
  onRetry?(ms: number): void;
}

const LF = 0x0a;
const CR = 0x0d;
const RETRY_PATTERN = /^[0-9]+$/;

/**
 * A byte-level parser for `text/event-stream` following the HTML standard
 * (§9.2.6): UTF-8 with one leading BOM stripped, CR, LF and CRLF line ends,
 * comments, multi-line data, digits-only `retry`, `id` values containing NUL
 * ignored, and an unterminated event at the end of the stream dropped. Bytes
 * may be split anywhere between chunks, also inside a character or a CRLF.
 */
export class SseParser {
  // fatal: false turns invalid bytes into U+FFFD, as the standard requires;
  // ignoreBOM: false strips exactly one leading BOM.
  private readonly decoder = new TextDecoder('utf-8');
  private partialLine = '';
  private afterCr = false;
  private eventType = '';
  private data = '';
  private ownId: string | undefined;
  private idBuffer: string;
  private lastId: string;

  constructor(
    private readonly handlers: SseParserHandlers,
    lastEventId = '',
  ) {
    this.idBuffer = lastEventId;
    this.lastId = lastEventId;
  }

  /** The event stream's last event ID string (updated on every dispatch, even of an event without data). */
  get lastEventId(): string {
    return this.lastId;
  }

  push(chunk: Uint8Array): void {
    this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** End of stream: a line or an event not yet terminated is discarded. */
  end(): void {
    this.feed(this.decoder.decode());
    this.partialLine = '';
    this.resetEvent();
  }

  private feed(text: string): void {
    let start = 0;
    if (this.afterCr && text.length > 0) {
      // The CR of a CRLF ended the previous chunk; its LF is not a second line end.
      if (text.charCodeAt(0) === LF) start = 1;
      this.afterCr = false;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      const line = this.partialLine + text.slice(start, i);
      this.partialLine = '';
      if (c === CR) {
        if (i + 1 === text.length) this.afterCr = true;
        else if (text.charCodeAt(i + 1) === LF) i++;
      }
      start = i + 1;
      this.line(line);
    }
    this.partialLine += text.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 0x3a) return; // ':' starts a comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    // Fields other than these four are ignored.
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.idBuffer = value;
          this.ownId = value;
        }
        break;
      case 'retry':
        if (RETRY_PATTERN.test(value)) this.handlers.onRetry?.(parseInt(value, 10));
        break;
    }
  }

  private dispatch(): void {
    this.lastId = this.idBuffer;
    if (this.data === '') return this.resetEvent();
    const event: SseEvent = {
      type: this.eventType || 'message',
      data: this.data.slice(0, -1),
      lastEventId: this.lastId,
      id: this.ownId,
    };
    this.resetEvent();
    this.handlers.onEvent(event);
  }

  private resetEvent(): void {
    this.eventType = '';
    this.data = '';
    this.ownId = undefined;
  }
}
