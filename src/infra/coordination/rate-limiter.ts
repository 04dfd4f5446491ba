export interface RateLimitDecision {
  allowed: boolean;
  /** When refused: how long until the window has room again. */
  retryAfterMs: number;
}

/** Counts requests per key in fixed windows; Redis-backed across processes, in memory when embedded. */
export abstract class RateLimiter {
  abstract consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
}
