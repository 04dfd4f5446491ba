import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { EventEnvelope, Operation, OperationAccepted, OperationContentData, OperationStatus, PolledEvents } from '@herald/contracts';
import type { TokenOptions } from '../../support/tokens';
import type { BootedApp } from './boot-app';

/** Limits such as rate, streams and active operations are per user, so each test gets users of its own. */
export function uniqueUserId(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

/** A text-generation body; small maxTokens keeps operations short. */
export function textGeneration(extra: { prompt?: string; maxTokens?: number; workflowId?: string; agentId?: string } = {}) {
  const { prompt = 'A lighthouse keeper finds a letter', maxTokens = 8, ...tags } = extra;
  return { kind: 'text-generation', input: { prompt, maxTokens }, ...tags };
}

/** Long enough at the test generation speed to still be running when a test acts on it. */
export const LONG_RUNNING = { maxTokens: 4096 };

const TERMINAL: OperationStatus[] = ['completed', 'failed', 'cancelled'];
const POLL_MS = 50;

/** Requests as one user, the way an SDK would make them. */
export class ApiClient {
  readonly token: string;

  constructor(
    readonly herald: BootedApp,
    readonly userId = uniqueUserId(),
    tokenOptions?: TokenOptions,
  ) {
    this.token = herald.token(userId, tokenOptions);
  }

  get(path: string) {
    return request(this.herald.url).get(path).set('Authorization', `Bearer ${this.token}`);
  }

  post(path: string) {
    return request(this.herald.url).post(path).set('Authorization', `Bearer ${this.token}`);
  }

  async start(body: object = textGeneration(), headers: Record<string, string> = {}): Promise<OperationAccepted> {
    const res = await this.post('/api/operations').set(headers).send(body);
    if (res.status !== 202) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as OperationAccepted;
  }

  async operation(id: string): Promise<Operation> {
    const res = await this.get(`/api/operations/${id}`);
    if (res.status !== 200) throw new Error(`GET operation ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Operation;
  }

  /** Polls the status endpoint (the SPEC's polling fallback) until the operation matches. */
  async waitFor(id: string, done: (op: Operation) => boolean, timeoutMs = 20_000): Promise<Operation> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const op = await this.operation(id);
      if (done(op)) return op;
      if (Date.now() > deadline) throw new Error(`operation ${id} still ${op.status} after ${timeoutMs} ms`);
      await sleep(POLL_MS);
    }
  }

  waitForEnd(id: string, timeoutMs?: number): Promise<Operation> {
    return this.waitFor(id, (op) => TERMINAL.includes(op.status), timeoutMs);
  }

  /** Starts an operation and waits for it to end. */
  async run(body: object = textGeneration()): Promise<Operation> {
    const { id } = await this.start(body);
    return this.waitForEnd(id);
  }

  async cancel(id: string): Promise<void> {
    const res = await this.post(`/api/operations/${id}/cancel`);
    if (res.status !== 202 && res.status !== 409) throw new Error(`cancel ${id}: ${res.status}`);
  }

  /** Every stored event of this user after `query.after` (through the polling endpoint), and where that ends. */
  async readAll(query: Record<string, string> = {}): Promise<{ events: EventEnvelope[]; lastEventId: string }> {
    const events: EventEnvelope[] = [];
    let after = query.after ?? '0';
    for (;;) {
      const res = await this.get('/api/events').query({ ...query, after, limit: '1000' });
      if (res.status !== 200) throw new Error(`GET /api/events: ${res.status} ${JSON.stringify(res.body)}`);
      const page = res.body as PolledEvents;
      events.push(...page.events);
      after = page.lastEventId ?? after;
      if (page.events.length < 1000) return { events, lastEventId: after };
    }
  }

  async storedEvents(query: Record<string, string> = {}): Promise<EventEnvelope[]> {
    return (await this.readAll(query)).events;
  }

  /** The user's current high-water mark: what a client would resume from. */
  async lastEventId(): Promise<string> {
    return (await this.readAll()).lastEventId;
  }
}

/** A service token allowed to publish custom events to any user. */
export function publisher(herald: BootedApp): ApiClient {
  return new ApiClient(herald, uniqueUserId('service'), { scopes: ['events:publish'] });
}

export async function publish(service: ApiClient, event: object): Promise<string | null> {
  const res = await service.post('/api/events').send(event);
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string | null }).id;
}

/** The content chunks among `events`, typed. */
export function contentChunks(events: EventEnvelope[]): EventEnvelope<OperationContentData>[] {
  return events.filter((e) => e.type === 'operation.content') as unknown as EventEnvelope<OperationContentData>[];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
