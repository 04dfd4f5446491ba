import { connect, Socket } from 'node:net';
import { now } from './clock';
import { SseDecoder, SseEvent } from './sse-decoder';

export interface StreamRequest {
  path: string;
  headers: Record<string, string>;
}

export interface StreamListener {
  /** Called for each event; `receivedAt` is when the bytes carrying it were read. */
  onEvent(stream: SseStream, event: SseEvent, receivedAt: number): void;
  /** The response or the connection ended; `clean` when the server ended the body in-band. */
  onEnd?(stream: SseStream, clean: boolean): void;
}

const HEAD_END = '\r\n\r\n';

/**
 * One SSE request over a raw TCP socket. Ten thousand of these fit in one
 * process: no HTTP client machinery, no per-event allocation beyond the event
 * itself, body bytes decoded as latin1 and parsed incrementally.
 */
export class SseStream {
  status = 0;
  /** Why the connection failed or ended early, when it did. */
  error: string | null = null;
  lastEventId: string | null = null;
  ended = false;
  /** Whether the client closed it (as opposed to the server or the network). */
  closedByClient = false;
  private socket: Socket | null = null;
  private head = '';
  private decoder: SseDecoder | null = null;
  private opened: ((status: number) => void) | null = null;
  /** When the bytes being decoded were read: one clock read per socket read, not per event. */
  private receivedAt = 0;

  constructor(
    readonly port: number,
    readonly request: StreamRequest,
    private readonly listener: StreamListener,
    /** Free for the scenario: which user or operation this stream follows. */
    readonly key: string,
  ) {}

  /** Connects and resolves with the response status (0 when the connection failed) once the headers are in. */
  open(timeoutMs = 60_000): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.fail('timed out waiting for response headers');
      }, timeoutMs);
      this.opened = (status) => {
        clearTimeout(timer);
        this.opened = null;
        resolve(status);
      };
      const socket = connect({ port: this.port, host: '127.0.0.1', noDelay: true });
      this.socket = socket;
      socket.setEncoding('latin1');
      socket.on('connect', () => socket.write(this.requestText()));
      socket.on('data', (text: string) => this.onData(text));
      socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? error.message));
      socket.on('close', () => this.finish(false));
    });
  }

  close(): void {
    if (this.ended) return;
    this.closedByClient = true;
    this.socket?.destroy();
    this.finish(false);
  }

  private requestText(): string {
    let text = `GET ${this.request.path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nAccept: text/event-stream\r\n`;
    for (const [name, value] of Object.entries(this.request.headers)) text += `${name}: ${value}\r\n`;
    return `${text}\r\n`;
  }

  private onData(text: string): void {
    if (this.decoder) {
      this.feed(text);
      return;
    }
    this.head += text;
    const end = this.head.indexOf(HEAD_END);
    if (end < 0) return;
    const head = this.head.slice(0, end);
    const rest = this.head.slice(end + HEAD_END.length);
    this.head = '';
    this.status = Number(head.slice(9, 12));
    const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
    this.decoder = new SseDecoder(chunked, (event) => this.dispatch(event));
    this.opened?.(this.status);
    if (this.status !== 200) {
      this.error = `HTTP ${this.status}`;
      this.close();
      return;
    }
    if (rest.length > 0) this.feed(rest);
  }

  private feed(text: string): void {
    this.receivedAt = now();
    this.decoder!.push(text);
    if (this.decoder!.finished) {
      this.socket?.destroy();
      this.finish(true);
    }
  }

  private dispatch(event: SseEvent): void {
    if (event.id !== null) this.lastEventId = event.id;
    this.listener.onEvent(this, event, this.receivedAt);
  }

  private fail(reason: string): void {
    this.error ??= reason;
    this.socket?.destroy();
    this.finish(false);
  }

  private finish(clean: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.socket = null;
    this.opened?.(0);
    this.listener.onEnd?.(this, clean);
  }
}
