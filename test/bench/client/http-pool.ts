import { connect, Socket } from 'node:net';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const IDLE_REUSE_MS = 4000;

interface Pending {
  request: HttpRequest;
  resolve: (response: HttpResponse) => void;
  reject: (error: Error) => void;
}

/**
 * Keep-alive HTTP/1.1 connections over raw sockets, one request in flight per
 * connection. The publisher must cost the bench machine as little as possible
 * so that the numbers describe the server; Node's http client spends several
 * times more CPU per request than this.
 */
class PooledConnection {
  busy = false;
  private socket: Socket | null = null;
  private buffer = '';
  private current: Pending | null = null;
  private lastUsed = 0;

  constructor(
    private readonly port: number,
    private readonly onIdle: (connection: PooledConnection) => void,
  ) {}

  send(pending: Pending): void {
    this.busy = true;
    this.current = pending;
    if (this.socket && performance.now() - this.lastUsed > IDLE_REUSE_MS) {
      // The server may be closing it right now (Node's keep-alive timeout is 5 s): a request
      // written into that race would fail for reasons that have nothing to do with load.
      const stale = this.socket;
      this.socket = null;
      stale.destroy();
    }
    this.lastUsed = performance.now();
    const socket = this.socket ?? this.connect();
    const body = pending.request.body ?? '';
    let text = `${pending.request.method} ${pending.request.path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\n`;
    for (const [name, value] of Object.entries(pending.request.headers)) text += `${name}: ${value}\r\n`;
    text += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    socket.write(text);
  }

  destroy(): void {
    this.socket?.destroy();
  }

  private connect(): Socket {
    const socket = connect({ port: this.port, host: '127.0.0.1', noDelay: true });
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.onData(text));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      // A socket this side already replaced is none of the current request's business.
      if (this.socket !== socket) return;
      this.socket = null;
      this.buffer = '';
      this.settle(new Error('connection closed before the response'));
    });
    this.socket = socket;
    return socket;
  }

  private onData(text: string): void {
    this.buffer += text;
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffer.slice(0, headEnd);
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const bodyStart = headEnd + 4;
    let body: string;
    if (lengthMatch) {
      const length = Number(lengthMatch[1]);
      // Responses here are ASCII JSON, so chars and bytes agree.
      if (this.buffer.length - bodyStart < length) return;
      body = this.buffer.slice(bodyStart, bodyStart + length);
      this.buffer = this.buffer.slice(bodyStart + length);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const end = this.buffer.indexOf('\r\n0\r\n\r\n', bodyStart - 2);
      if (end < 0) return;
      body = dechunk(this.buffer.slice(bodyStart, end + 2));
      this.buffer = this.buffer.slice(end + 7);
    } else {
      body = '';
      this.buffer = this.buffer.slice(bodyStart);
    }
    if (/\r\nconnection:\s*close/i.test(head)) {
      this.socket?.destroy();
      this.socket = null;
    }
    this.settle(null, { status: Number(head.slice(9, 12)), body });
  }

  private settle(error: Error | null, response?: HttpResponse): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    this.busy = false;
    this.lastUsed = performance.now();
    if (error) current.reject(error);
    else current.resolve(response!);
    this.onIdle(this);
  }
}

function dechunk(text: string): string {
  let out = '';
  let pos = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', pos);
    if (eol < 0) return out;
    const size = parseInt(text.slice(pos, eol), 16);
    if (!(size > 0)) return out;
    out += text.substr(eol + 2, size);
    pos = eol + 2 + size + 2;
  }
}

export class HttpPool {
  private readonly connections: PooledConnection[];
  private readonly idle: PooledConnection[];
  private readonly queue: Pending[] = [];
  private readonly idleListeners = new Set<() => void>();

  constructor(port: number, size: number) {
    this.connections = Array.from({ length: size }, () => new PooledConnection(port, (c) => this.release(c)));
    this.idle = [...this.connections];
  }

  /** Connections free right now: a rate-driven publisher sends only when one is. */
  get available(): number {
    return this.idle.length;
  }

  get inFlight(): number {
    return this.connections.length - this.idle.length;
  }

  /** Sends now if a connection is free, otherwise when one becomes free. */
  request(request: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const pending = { request, resolve, reject };
      const connection = this.idle.pop();
      if (connection) connection.send(pending);
      else this.queue.push(pending);
    });
  }

  /** Called whenever a connection becomes free (after its response was handed out). */
  onIdle(listener: () => void): () => void {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  close(): void {
    for (const connection of this.connections) connection.destroy();
  }

  private release(connection: PooledConnection): void {
    const next = this.queue.shift();
    if (next) {
      connection.send(next);
      return;
    }
    this.idle.push(connection);
    for (const listener of this.idleListeners) listener();
  }
}
