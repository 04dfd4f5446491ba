export interface BackoffOptions {
  /** Delay before the first retry; doubles with each further one. */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 8_000 };

/** A provider asking for a longer pause than this gets it cut short; the operation timeout bounds the rest. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Delay before retry number `failure` (1-based): exponential, with half of it
 * random so workers hit by the same outage do not come back in lockstep. A
 * Retry-After from the provider is a lower bound.
 */
export function retryDelay(
  failure: number,
  options: BackoffOptions,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** (failure - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/**
 * How long the provider asked to wait: OpenAI's `retry-after-ms` when present
 * (finer than seconds), else the standard Retry-After in seconds or as an HTTP
 * date. Null when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
