import { now } from './clock';
import { Histogram } from '../support/histogram';
import { HttpPool, HttpRequest, HttpResponse } from './http-pool';

export interface RateRun {
  /** Events per second asked for. */
  target: number;
  sent: number;
  /** Responses with the expected status. */
  accepted: number;
  failures: Record<string, number>;
  /** Events per second actually sent: below target when the server (or the pool) could not take more. */
  achieved: number;
  /** Time from writing each request to reading its response. */
  responseTimes: Histogram;
}

export interface RateOptions {
  rate: number;
  durationMs: number;
  /** Builds request `seq`; called at the moment it is sent, so timestamps inside are send times. */
  build: (seq: number) => HttpRequest;
  expectStatus: number;
  onResponse?: (seq: number, response: HttpResponse) => void;
  /** How long to wait for the last responses after sending stops. */
  settleMs?: number;
}

/**
 * Open-loop publishing: request n is due at n / rate seconds and is sent as
 * soon as it is due and a pooled connection is free. A server that cannot keep
 * up shows as achieved < target (its connections stay busy), never as a queue
 * hidden in the client whose waiting time would be missing from the latencies.
 */
export function publishAtRate(pool: HttpPool, opts: RateOptions): Promise<RateRun> {
  return new Promise((resolve) => {
    const start = now();
    const failures: Record<string, number> = {};
    const responseTimes = new Histogram();
    let sent = 0;
    let settled = 0;
    let accepted = 0;
    let sending = true;
    let finished = false;

    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(settleTimer);
      if (settled < sent) failures['no response in time'] = sent - settled;
      resolve({ target: opts.rate, sent, accepted, failures, achieved: sent / (opts.durationMs / 1000), responseTimes });
    };
    let settleTimer: NodeJS.Timeout | undefined;
    const maybeFinish = () => {
      if (!sending && settled === sent) finish();
    };
    const record = (reason: string) => {
      failures[reason] = (failures[reason] ?? 0) + 1;
    };
    const sendOne = () => {
      const seq = sent++;
      const sentAt = now();
      pool.request(opts.build(seq)).then(
        (response) => {
          settled++;
          responseTimes.record(now() - sentAt);
          if (response.status === opts.expectStatus) accepted++;
          else record(`HTTP ${response.status}`);
          opts.onResponse?.(seq, response);
          maybeFinish();
        },
        (error: Error) => {
          settled++;
          record(error.message);
          maybeFinish();
        },
      );
    };
    const pump = () => {
      if (!sending) return;
      const elapsed = now() - start;
      const due = Math.floor((opts.rate * Math.min(elapsed, opts.durationMs)) / 1000);
      while (sent < due && pool.available > 0) sendOne();
      if (elapsed >= opts.durationMs) {
        sending = false;
        clearInterval(ticker);
        stopListening();
        settleTimer = setTimeout(finish, opts.settleMs ?? 15_000);
        maybeFinish();
      }
    };
    const ticker = setInterval(pump, 1);
    const stopListening = pool.onIdle(pump);
  });
}

/** Sends `count` requests as fast as `pool` takes them; resolves with the responses in order. */
export async function publishAll(
  pool: HttpPool,
  count: number,
  build: (seq: number) => HttpRequest,
): Promise<HttpResponse[]> {
  const responses: HttpResponse[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const seq = next++;
      responses[seq] = await pool.request(build(seq));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, pool.available) }, lane));
  return responses;
}
