import type { EventEnvelope } from '@herald/contracts';
import { HeraldError } from '../errors';
import { HttpTransport } from '../http/http-transport';
import { AttemptContext, AttemptOutcome } from './attempt';
import { backoffDelay, DEFAULT_INITIAL_RETRY_MS, DEFAULT_MAX_RETRY_MS, sleep } from './backoff';
import { EventCursor } from './event-cursor';
import { pollOnce } from './poll-attempt';
import { streamOnce } from './stream-attempt';
import { ReconnectOptions, SubscribeOptions, SubscriptionEnd, SubscriptionStatus } from './subscription-options';
import { StreamView } from './views';

type Settings = Required<ReconnectOptions>;

const DEFAULTS: Settings = {
  initialRetryMs: DEFAULT_INITIAL_RETRY_MS,
  maxRetryMs: DEFAULT_MAX_RETRY_MS,
  pollAfterFailures: 3,
  streamRetryIntervalMs: 30_000,
  pollWaitSeconds: 25,
  idleTimeoutMs: 45_000,
};

/**
 * A live subscription to one view. It keeps itself connected: reconnects with
 * backoff from the last delivered id, drops duplicates, falls back to
 * long-polling when streaming keeps failing, and stops for good on 204, on a
 * terminal event of the operation view, on a permanent error, or on close().
 */
export class Subscription {
  /** Settles when the subscription has closed for good (it never rejects). */
  readonly done: Promise<SubscriptionEnd>;
  private readonly controller = new AbortController();
  private readonly settings: Settings;
  private readonly cursor: EventCursor;
  private current: SubscriptionStatus;
  private serverRetryMs: number | null = null;
  private streamFailures = 0;
  private lastStreamTry = 0;

  constructor(
    private readonly http: HttpTransport,
    readonly view: StreamView,
    private readonly options: SubscribeOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...definedOnly(options.reconnect ?? {}) };
    this.cursor = new EventCursor(view, options.lastEventId, (event) => this.emitEvent(event));
    this.current = {
      state: 'connecting',
      transport: 'stream',
      attempt: 0,
      retryInMs: null,
      lastEventId: this.cursor.lastEventId,
      error: null,
    };
    const external = options.signal;
    const onAbort = () => this.close();
    if (external?.aborted) this.controller.abort(external.reason);
    else external?.addEventListener('abort', onAbort, { once: true });
    // A long-lived signal shared by many subscriptions must not keep every closed one alive.
    this.done = this.run().finally(() => external?.removeEventListener('abort', onAbort));
  }

  get status(): SubscriptionStatus {
    return { ...this.current, lastEventId: this.cursor.lastEventId };
  }

  get lastEventId(): string | null {
    return this.cursor.lastEventId;
  }

  close(): void {
    this.controller.abort();
  }

  private async run(): Promise<SubscriptionEnd> {
    // Starts on the next tick so a caller can read `status` and attach to `done` first.
    await Promise.resolve();
    const signal = this.controller.signal;
    try {
      while (!signal.aborted) {
        const polling = this.shouldPoll();
        this.update({ transport: polling ? 'poll' : 'stream' });
        const outcome = polling ? await pollOnce(this.context()) : await streamOnce(this.context());
        if (signal.aborted) break;
        const end = this.settle(outcome, polling);
        if (end) return this.finish(end);
        if (outcome.kind === 'polled') {
          // An empty long-poll has already waited; the pause only guards against a server that ignores `wait`.
          if (outcome.events === 0) await sleep(this.settings.initialRetryMs, signal);
          continue;
        }
        const delay = this.nextDelay(outcome);
        this.update({ state: 'reconnecting', retryInMs: delay });
        await sleep(delay, signal);
        this.update({ attempt: this.current.attempt + 1, retryInMs: null });
      }
    } catch {
      // Attempts report failures as outcomes; only sleep() throws, when the subscription is closed.
    }
    return this.finish({ reason: 'aborted' });
  }

  /** Books the outcome; returns how the subscription ends when it does. */
  private settle(outcome: AttemptOutcome, polling: boolean): Omit<SubscriptionEnd, 'lastEventId'> | null {
    switch (outcome.kind) {
      case 'ended':
        return { reason: 'ended' };
      case 'fatal':
        this.report(outcome.error);
        return { reason: 'error', error: outcome.error };
      case 'failed':
        if (!polling && outcome.streamingBroken) this.streamFailures++;
        this.report(outcome.error);
        this.update({ error: outcome.error });
        return null;
      default:
        return null;
    }
  }

  /** Streaming until it has failed `pollAfterFailures` times in a row; then polling, with a stream try every interval. */
  private shouldPoll(): boolean {
    const poll =
      this.streamFailures >= this.settings.pollAfterFailures &&
      Date.now() - this.lastStreamTry < this.settings.streamRetryIntervalMs;
    if (!poll) this.lastStreamTry = Date.now();
    return poll;
  }

  /** Backoff from the server's `retry:` (or the initial delay), at least what a Retry-After asked for. */
  private nextDelay(outcome: AttemptOutcome): number {
    const base = this.serverRetryMs ?? this.settings.initialRetryMs;
    const delay = backoffDelay(this.current.attempt, base, this.settings.maxRetryMs);
    const retryAfter = outcome.kind === 'failed' ? (outcome.error.retryAfterMs ?? 0) : 0;
    return Math.max(delay, retryAfter);
  }

  private context(): AttemptContext {
    return {
      http: this.http,
      view: this.view,
      types: this.options.types,
      cursor: this.cursor,
      signal: this.controller.signal,
      idleTimeoutMs: this.settings.idleTimeoutMs,
      pollWaitSeconds: this.settings.pollWaitSeconds,
      onOpen: () => {
        if (this.current.transport === 'stream') this.streamFailures = 0;
        this.update({ state: 'open', attempt: 0, retryInMs: null, error: null });
      },
      onRetry: (ms) => (this.serverRetryMs = ms),
      onReady: (ready) => callSafely(() => this.options.onReady?.(ready)),
      onGap: (gap) => callSafely(() => this.options.onGap?.(gap)),
      onWarning: (error) => this.report(error),
    };
  }

  private emitEvent(event: EventEnvelope): void {
    callSafely(() => this.options.onEvent?.(event));
  }

  private report(error: HeraldError): void {
    callSafely(() => this.options.onError?.(error));
  }

  private update(change: Partial<SubscriptionStatus>): void {
    const next = { ...this.current, ...change, lastEventId: this.cursor.lastEventId };
    const changed = (Object.keys(next) as (keyof SubscriptionStatus)[]).some((k) => next[k] !== this.current[k]);
    this.current = next;
    if (changed) callSafely(() => this.options.onStatus?.(this.status));
  }

  private finish(end: Omit<SubscriptionEnd, 'lastEventId'>): SubscriptionEnd {
    this.controller.abort();
    this.update({ state: 'closed', retryInMs: null, error: end.error ?? null });
    return { ...end, lastEventId: this.cursor.lastEventId };
  }
}

/**
 * Runs an application callback. A throwing handler must not tear down the
 * connection (which would reconnect and replay into the same throw), so the
 * error is rethrown on its own task, where it reaches the usual uncaught-error
 * reporting.
 */
function callSafely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
