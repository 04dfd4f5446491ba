import { now } from './clock';
import { SseStream } from './sse-stream';

export interface OpenResult {
  opened: number;
  /** Failures by reason (`HTTP 429`, `ECONNRESET`, …). */
  failures: Record<string, number>;
  durationMs: number;
}

/**
 * Opens streams with at most `concurrency` handshakes in flight: a real
 * crowd arrives over time, and an unbounded burst would only measure the
 * kernel's listen backlog. (The reconnect storm opens all at once on purpose.)
 */
export async function openMany(streams: SseStream[], concurrency: number, timeoutMs = 60_000): Promise<OpenResult> {
  const started = now();
  const failures: Record<string, number> = {};
  let opened = 0;
  let next = 0;
  const lane = async () => {
    while (next < streams.length) {
      const stream = streams[next++];
      const status = await stream.open(timeoutMs);
      if (status === 200) opened++;
      else {
        const reason = stream.error ?? `HTTP ${status}`;
        failures[reason] = (failures[reason] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, streams.length) }, lane));
  return { opened, failures, durationMs: now() - started };
}

export function closeAll(streams: SseStream[]): void {
  for (const stream of streams) stream.close();
}

/** Streams the server or the network ended while they should have stayed open. */
export function droppedCount(streams: SseStream[]): number {
  return streams.filter((s) => s.status === 200 && s.ended && !s.closedByClient).length;
}

export function describeFailures(failures: Record<string, number>): string {
  const entries = Object.entries(failures);
  return entries.length === 0 ? 'none' : entries.map(([reason, n]) => `${n}× ${reason}`).join(', ');
}
