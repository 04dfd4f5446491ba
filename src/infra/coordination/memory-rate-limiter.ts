import { RateLimitDecision, RateLimiter } from './rate-limiter';

interface Window {
  index: number;
  count: number;
  endsAt: number;
}

/**
 * Fixed windows for embedded mode, where one process sees every request.
 * Windows that have ended are swept at most once per sweep interval, so the
 * map holds only keys active in the current window.
 */
export class MemoryRateLimiter extends RateLimiter {
  private readonly windows = new Map<string, Window>();
  private nextSweepAt = 0;

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly sweepIntervalMs = 10_000,
  ) {
    super();
  }

  consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = this.clock();
    this.sweep(now);
    const index = Math.floor(now / windowMs);
    let window = this.windows.get(key);
    if (!window || window.index !== index) {
      window = { index, count: 0, endsAt: (index + 1) * windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    const allowed = window.count <= limit;
    return Promise.resolve({ allowed, retryAfterMs: allowed ? 0 : window.endsAt - now });
  }

  /** Keys with a window still open; exposed so tests can see that memory stays bounded. */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.sweepIntervalMs;
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now) this.windows.delete(key);
    }
  }
}
