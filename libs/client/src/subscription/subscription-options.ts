import type { EventEnvelope, StreamGapData, StreamReadyData } from '@herald/contracts';
import { HeraldError } from '../errors';

/** connecting: first attempt; open: events can flow; reconnecting: waiting or retrying after a failure; closed: for good. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';
/** stream: fetch streaming of the SSE view; poll: long-polling GET /api/events. */
export type Transport = 'stream' | 'poll';

export interface SubscriptionStatus {
  state: ConnectionState;
  transport: Transport;
  /** Reconnect attempts since the connection was last open. */
  attempt: number;
  /** While reconnecting: how long until the next attempt. */
  retryInMs: number | null;
  lastEventId: string | null;
  /** The last failure; kept while reconnecting, cleared when open again. */
  error: HeraldError | null;
}

/** Why a subscription closed: `ended` (204 or terminal event), `aborted` (close()/signal), `error` (permanent failure). */
export interface SubscriptionEnd {
  reason: 'ended' | 'aborted' | 'error';
  error?: HeraldError;
  lastEventId: string | null;
}

export interface ReconnectOptions {
  /** First reconnect delay ceiling when the server sent no `retry:`. Default 1000. */
  initialRetryMs?: number;
  /** Cap on the delay. Default 30 000. */
  maxRetryMs?: number;
  /** Consecutive stream attempts the server answered without an event stream before switching to long-polling. Default 3. */
  pollAfterFailures?: number;
  /** While long-polling, how often streaming is tried again. Default 30 000. */
  streamRetryIntervalMs?: number;
  /** `wait` of each long-poll, in seconds (0–30). Default 25. */
  pollWaitSeconds?: number;
  /** A stream that delivers no byte for this long is presumed dead and reopened. Default 45 000 (three heartbeats). */
  idleTimeoutMs?: number;
}

export interface SubscribeOptions {
  /** Only these event types (`types=` of the view). */
  types?: string[];
  /** Resume after this id (sent as Last-Event-ID). `"0"` asks for everything retained. */
  lastEventId?: string;
  /** Aborting it closes the subscription. */
  signal?: AbortSignal;
  /** Each stored or custom event, once, in id order. */
  onEvent?(event: EventEnvelope): void;
  /** Events this view should have delivered are no longer stored (or the resume id was unknown). */
  onGap?(gap: StreamGapData): void;
  /** A stream opened (sent each time, also on reconnects). */
  onReady?(ready: StreamReadyData): void;
  onStatus?(status: SubscriptionStatus): void;
  /** Every failure, also those that are retried. */
  onError?(error: HeraldError): void;
  reconnect?: ReconnectOptions;
}
