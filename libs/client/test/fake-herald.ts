import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import type { EventEnvelope } from '@herald/contracts';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the client closes or the response ends. */
  closed: Promise<void>;
}

/** Answers request number `n` (0-based, counted over all paths). */
export type Script = (req: SeenRequest, res: ServerResponse, n: number) => void;

/**
 * A local HTTP server whose answers each test scripts, byte for byte: the
 * SDK's reconnect, resume and fallback logic is tested against exactly the
 * failures it must survive, with nothing left to timing luck.
 */
export class FakeHerald {
  readonly requests: SeenRequest[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    private readonly script: Script,
  ) {}

  static async start(script: Script): Promise<FakeHerald> {
    const server = createServer();
    const fake = new FakeHerald(server, script);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests have arrived. */
  async waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} requests, got ${this.requests.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        closed,
      };
      const n = this.requests.push(seen) - 1;
      for (const wake of this.waiters) wake();
      this.waiters.clear();
      this.script(seen, res, n);
    });
  }
}

export function openSse(res: ServerResponse, retryMs?: number): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
  const retry = retryMs === undefined ? '' : `retry: ${retryMs}\n`;
  res.write(`${retry}event: stream.ready\ndata: {"connectionId":"c","serverTime":"t"}\n\n`);
}

export function envelope(id: string, type: string, data: object = {}, operationId = 'op-1'): EventEnvelope {
  const ts = '2025-01-01T00:00:00.000Z';
  return { id, type, v: 1, ts, operationId, workflowId: null, agentId: null, data: data as Record<string, unknown> };
}

export function frame(event: EventEnvelope): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { statusCode: status, error: 'Error', message: `${code} happened`, code }, headers);
}
