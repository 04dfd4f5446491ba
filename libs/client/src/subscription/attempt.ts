import type { StreamGapData, StreamReadyData } from '@herald/contracts';
import { HeraldError } from '../errors';
import { HttpTransport } from '../http/http-transport';
import { EventCursor } from './event-cursor';
import { StreamView } from './views';

/** What one connection attempt (a stream or a long-poll) needs from its subscription. */
export interface AttemptContext {
  http: HttpTransport;
  view: StreamView;
  types: string[] | undefined;
  cursor: EventCursor;
  /** Aborts when the subscription is closed. */
  signal: AbortSignal;
  idleTimeoutMs: number;
  pollWaitSeconds: number;
  /** The connection works: events can flow. */
  onOpen(): void;
  onRetry(ms: number): void;
  onReady(ready: StreamReadyData): void;
  onGap(gap: StreamGapData): void;
  /** A problem that does not end the attempt (an event whose data is not JSON). */
  onWarning(error: HeraldError): void;
}

export type AttemptOutcome =
  /** Nothing more will come: 204, or the operation view saw its terminal event. */
  | { kind: 'ended' }
  /** An open stream ended or broke: reconnect from the cursor. */
  | { kind: 'dropped' }
  /** A long-poll answered; `events` is how many it delivered. */
  | { kind: 'polled'; events: number }
  /**
   * The attempt did not get going. `streamingBroken`: the server answered but
   * no event stream came through (wrong content type, error status, a proxy
   * buffering the body) — the kind of failure long-polling works around.
   */
  | { kind: 'failed'; error: HeraldError; streamingBroken: boolean }
  /** A retry cannot help (401, 403, 404, 400): stop. */
  | { kind: 'fatal'; error: HeraldError };

export async function failureFromResponse(res: Response): Promise<AttemptOutcome> {
  const error = await HeraldError.fromResponse(res);
  return error.permanent ? { kind: 'fatal', error } : { kind: 'failed', error, streamingBroken: true };
}
