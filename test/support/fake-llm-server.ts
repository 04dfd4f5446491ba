import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { readBody } from './read-body';

// A stand-in for an OpenAI-compatible server: speaks the streaming chat
// completions protocol (`data: {chunk}` events ending in `data: [DONE]`) and
// misbehaves on demand, so the provider's failure handling is tested against
// real sockets rather than mocks.

/** How a streamed answer breaks off after `after` tokens of this response. */
export type Cut =
  /** Send nothing more but keep the connection open. */
  | 'stall'
  /** Destroy the socket. */
  | 'drop'
  /** Send a data line that is not JSON, then end the response. */
  | 'garbage'
  /** End the response cleanly but without finish_reason or [DONE]. */
  | 'end';

const DROP_GRACE_MS = 50;

export interface StreamReply {
  kind: 'stream';
  /**
   * The whole answer, token by token. When the request ends with an assistant
   * message made of the first k tokens, the answer goes on from token k, the
   * way a model continues its own text; any other prefix gets a 400.
   */
  tokens: string[];
  /** Pause before each token. Default 0. */
  intervalMs?: number;
  cut?: { after: number; how: Cut };
}

export interface StatusReply {
  kind: 'status';
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeReply = StreamReply | StatusReply;

/** How a response ended: finished by the fake, dropped by the fake, or abandoned by the client first. */
export type RequestEnd = 'completed' | 'dropped' | 'client-closed';

export interface ChatRequest {
  model?: string;
  stream?: boolean;
  max_tokens?: number;
  messages?: { role: string; content: string }[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: ChatRequest;
  /** The assistant message the request ends with, or null. */
  prefix: string | null;
  ended: Promise<RequestEnd>;
}

export function streamReply(tokens: string[], options: Omit<StreamReply, 'kind' | 'tokens'> = {}): StreamReply {
  return { kind: 'stream', tokens, ...options };
}

export function statusReply(status: number, message: string, headers: Record<string, string> = {}): StatusReply {
  return { kind: 'status', status, headers, body: { error: { message, type: 'fake_error', code: null } } };
}

export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: FakeReply[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private fallback: FakeReply,
  ) {}

  /** Listens on 127.0.0.1 on a free port; requests beyond the scripted ones get `fallback`. */
  static async start(fallback: FakeReply = streamReply(['Hello', ',', ' world', '.'])): Promise<FakeLlmServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeLlmServer(server, `http://127.0.0.1:${port}`, fallback);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Replies for the next requests, in order. */
  script(...replies: FakeReply[]): void {
    this.queue.push(...replies);
  }

  setFallback(reply: FakeReply): void {
    this.fallback = reply;
  }

  /** Forgets recorded requests and scripted replies, for the next test. */
  reset(fallback: FakeReply): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.fallback = fallback;
  }

  async waitForRequests(count: number, timeoutMs = 10_000): Promise<RecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) throw new Error(`fake LLM server saw ${this.requests.length} of ${count} requests`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.requests.slice(0, count);
  }

  /** Stops listening and cuts every open connection (stalled responses included). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: ChatRequest = {};
    try {
      body = JSON.parse(raw) as ChatRequest;
    } catch {
      // recorded as empty; the reply below says what was wrong
    }
    let dropped = false;
    const ended = new Promise<RequestEnd>((resolve) =>
      res.once('close', () => resolve(dropped ? 'dropped' : res.writableFinished ? 'completed' : 'client-closed')),
    );
    const last = body.messages?.[body.messages.length - 1];
    const prefix = last?.role === 'assistant' ? last.content : null;
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, prefix, ended });

    const reply = this.queue.shift() ?? this.fallback;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendJson(res, 404, fakeError('no such route'));
    if (!body.stream || !Array.isArray(body.messages)) return sendJson(res, 400, fakeError('expected a streaming chat request'));
    if (reply.kind === 'status') return sendJson(res, reply.status, reply.body ?? {}, reply.headers);
    await this.stream(reply, body, prefix, res, () => (dropped = true));
  }

  private async stream(
    reply: StreamReply,
    body: ChatRequest,
    prefix: string | null,
    res: ServerResponse,
    markDropped: () => void,
  ): Promise<void> {
    const start = continuationStart(reply.tokens, prefix ?? '');
    if (start < 0) return sendJson(res, 400, fakeError(`assistant prefix is not the start of the answer: ${JSON.stringify(prefix)}`));
    const limit = body.max_tokens ?? Infinity;
    const tokens = reply.tokens.slice(start, start + limit);
    const finishReason = start + limit < reply.tokens.length ? 'length' : 'stop';
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(event(chunk(body.model, { role: 'assistant', content: '' }, null)));
    for (const [i, token] of tokens.entries()) {
      if (reply.cut?.after === i && (await this.cut(reply.cut.how, res, markDropped))) return;
      if (reply.intervalMs) await new Promise((r) => setTimeout(r, reply.intervalMs));
      if (res.destroyed) return;
      // Waiting for the flush makes a later 'drop' cut after exactly the tokens sent, not lose them in a buffer.
      await new Promise((flushed) => res.write(event(chunk(body.model, { content: token }, null)), flushed));
    }
    if (reply.cut && reply.cut.after >= tokens.length && (await this.cut(reply.cut.how, res, markDropped))) return;
    res.write(event(chunk(body.model, {}, finishReason)));
    res.end(event('[DONE]'));
  }

  /** Breaks the response off; true when nothing more may be written. */
  private async cut(how: Cut, res: ServerResponse, markDropped: () => void): Promise<boolean> {
    if (how === 'stall') return true;
    if (how === 'drop') {
      // A fetch body that errors discards what the client had received but not yet read; the pause lets a
      // prompt reader take every token sent, so a test knows exactly what was delivered before the drop.
      await new Promise((r) => setTimeout(r, DROP_GRACE_MS));
      markDropped();
      res.socket?.destroy();
    } else if (how === 'garbage') {
      res.end('data: {"choices": [ this is not json\n\n');
    } else {
      res.end();
    }
    return true;
  }
}

/** Index of the token the answer continues from, or -1 when `prefix` is not made of whole leading tokens. */
function continuationStart(tokens: string[], prefix: string): number {
  let text = '';
  for (let i = 0; i <= tokens.length; i++) {
    if (text === prefix) return i;
    if (i === tokens.length || text.length >= prefix.length) break;
    text += tokens[i];
  }
  return -1;
}

function chunk(model: string | undefined, delta: Record<string, unknown>, finishReason: string | null): string {
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: model ?? 'fake',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
}

function event(data: string): string {
  return `data: ${data}\n\n`;
}

function fakeError(message: string): unknown {
  return { error: { message, type: 'invalid_request_error', code: null } };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
