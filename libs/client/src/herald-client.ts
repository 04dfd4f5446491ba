import type {
  Operation,
  OperationAccepted,
  OperationList,
  OperationStatus,
  PolledEvents,
  StartOperationRequest,
} from '@herald/contracts';
import { HeraldError } from './errors';
import { HeraldClientOptions } from './http/client-options';
import { HttpTransport } from './http/http-transport';
import { randomKey } from './http/random-key';
import { backoffDelay, sleep } from './subscription/backoff';
import { SubscribeOptions } from './subscription/subscription-options';
import { Subscription } from './subscription/subscription';
import { StreamView } from './subscription/views';

export interface StartOptions {
  /** A repeat with the same key returns the original operation. Default: a fresh random key per call, kept across its retries. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ListOptions {
  status?: OperationStatus;
  workflowId?: string;
  agentId?: string;
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
}

export interface PollOptions {
  after?: string;
  operationId?: string;
  workflowId?: string;
  agentId?: string;
  types?: string[];
  limit?: number;
  waitSeconds?: number;
  signal?: AbortSignal;
}

const RETRIES = 2;
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 4000;
// A gateway that lost its upstream, or none at all: worth one more try. Anything else is the server's answer.
const RETRYABLE_STATUS = new Set([502, 503, 504]);

/** The Herald API: operations over REST, events over SSE with resume, typed by @herald/contracts. */
export class HeraldClient {
  private readonly http: HttpTransport;

  constructor(options: HeraldClientOptions = {}) {
    this.http = new HttpTransport(options);
  }

  /** POST /api/operations. Sends an Idempotency-Key, which is what makes retrying a lost answer safe. */
  startOperation(request: StartOperationRequest, options: StartOptions = {}): Promise<OperationAccepted> {
    const key = options.idempotencyKey ?? randomKey();
    return this.retrying(
      () =>
        this.http.json<OperationAccepted>('/api/operations', {
          method: 'POST',
          body: request,
          headers: { 'Idempotency-Key': key },
          signal: options.signal,
        }),
      options.signal,
    );
  }

  getOperation(id: string, options: { signal?: AbortSignal } = {}): Promise<Operation> {
    return this.retrying(
      () => this.http.json<Operation>(`/api/operations/${encodeURIComponent(id)}`, { signal: options.signal }),
      options.signal,
    );
  }

  listOperations(options: ListOptions = {}): Promise<OperationList> {
    const { signal, ...query } = options;
    return this.retrying(() => this.http.json<OperationList>('/api/operations', { query, signal }), signal);
  }

  /** POST /api/operations/:id/cancel. Repeating it is harmless (202); a finished operation answers 409. */
  async cancelOperation(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.retrying(
      () =>
        this.http.json<unknown>(`/api/operations/${encodeURIComponent(id)}/cancel`, {
          method: 'POST',
          signal: options.signal,
        }),
      options.signal,
    );
  }

  /** One request to the polling endpoint GET /api/events (subscriptions use it by themselves when streaming fails). */
  pollEvents(options: PollOptions = {}): Promise<PolledEvents> {
    const { signal, types, waitSeconds, ...rest } = options;
    const query = { ...rest, types: types?.join(','), wait: waitSeconds };
    return this.http.json<PolledEvents>('/api/events', { query, signal });
  }

  /** Subscribes to a view; see Subscription. Close it with close() or the `signal` option. */
  subscribe(view: StreamView, options: SubscribeOptions = {}): Subscription {
    return new Subscription(this.http, view, options);
  }

  /** The operation view: its retained events, then live ones, closing after the terminal event. */
  subscribeToOperation(operationId: string, options: SubscribeOptions = {}): Subscription {
    return this.subscribe({ kind: 'operation', id: operationId }, options);
  }

  private async retrying<T>(call: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const retryable =
          error instanceof HeraldError && (error.status === null || RETRYABLE_STATUS.has(error.status));
        if (!retryable || attempt >= RETRIES) throw error;
        await sleep(backoffDelay(attempt, RETRY_BASE_MS, RETRY_MAX_MS), signal);
      }
    }
  }
}
