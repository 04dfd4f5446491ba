import { connect, Socket } from 'node:net';

const HEAD_END = '\r\n\r\n';

/**
 * One SSE request over a bare TCP socket, light enough for thousands at once
 * in one process: no HTTP client machinery, no event objects — it keeps the
 * ids of the events it receives and whether the stream said it was ready.
 * Decodes chunked transfer encoding; expects Herald's framing (LF line ends).
 */
export class RawSseClient {
  status = 0;
  ready = false;
  readonly ids: number[] = [];
  error: string | null = null;
  private socket: Socket | null = null;
  private head = '';
  private body = '';
  private chunked = false;
  /** Bytes of the current chunk still to come (chunked encoding). */
  private chunkLeft = 0;
  private lines = '';

  constructor(
    private readonly port: number,
    private readonly path: string,
    private readonly headers: Record<string, string>,
  ) {}

  open(): void {
    const socket = connect({ port: this.port, host: '127.0.0.1' });
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('connect', () => {
      let request = `GET ${this.path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nAccept: text/event-stream\r\n`;
      for (const [name, value] of Object.entries(this.headers)) request += `${name}: ${value}\r\n`;
      socket.write(`${request}\r\n`);
    });
    socket.on('data', (text: string) => this.receive(text));
    socket.on('error', (error: NodeJS.ErrnoException) => (this.error ??= error.code ?? error.message));
    socket.on('close', () => (this.error ??= 'closed'));
  }

  get lastId(): number | undefined {
    return this.ids.at(-1);
  }

  close(): void {
    this.socket?.destroy();
  }

  private receive(text: string): void {
    if (this.status === 0) {
      this.head += text;
      const end = this.head.indexOf(HEAD_END);
      if (end === -1) return;
      const head = this.head.slice(0, end);
      this.status = Number(head.slice(9, 12));
      this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
      text = this.head.slice(end + HEAD_END.length);
      this.head = '';
    }
    if (!this.chunked) return this.feed(text);
    this.body += text;
    for (;;) {
      if (this.chunkLeft > 0) {
        const take = this.body.slice(0, this.chunkLeft);
        this.body = this.body.slice(take.length);
        this.chunkLeft -= take.length;
        this.feed(take);
        if (this.chunkLeft > 0) return;
      }
      // Each chunk is followed by CRLF, then the next size line.
      const sizeEnd = this.body.indexOf('\r\n', this.body.startsWith('\r\n') ? 2 : 0);
      if (sizeEnd === -1) return;
      const size = parseInt(this.body.slice(0, sizeEnd).trim(), 16);
      this.body = this.body.slice(sizeEnd + 2);
      if (size === 0) return;
      this.chunkLeft = size;
    }
  }

  /** Body text (latin1: ids and field names are ASCII) split into lines. */
  private feed(text: string): void {
    this.lines += text;
    let end = this.lines.indexOf('\n');
    while (end !== -1) {
      const line = this.lines.slice(0, end);
      this.lines = this.lines.slice(end + 1);
      if (line.startsWith('id: ')) this.ids.push(Number(line.slice(4)));
      else if (line === 'event: stream.ready') this.ready = true;
      end = this.lines.indexOf('\n');
    }
  }
}
