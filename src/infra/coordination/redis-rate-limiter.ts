import type Redis from 'ioredis';
import { ALLOWED, LeasedWindow } from './leased-window';
import { RateLimitDecision, RateLimiter } from './rate-limiter';
import { RedisOutage } from './redis-outage';

// Leases room in each window's shared counter, never past the limit: KEYS[i]
// is asked for ARGV[3i-2] requests under limit ARGV[3i-1], and a new window
// gets its expiry (ARGV[3i] ms) in the same atomic step, so a crash can never
// leave a counter without one. The reply is what each key granted.
const LEASE = `
local grants = {}
for i, key in ipairs(KEYS) do
  local ask = tonumber(ARGV[3 * i - 2])
  local room = tonumber(ARGV[3 * i - 1]) - tonumber(redis.call('GET', key) or '0')
  local grant = math.max(0, math.min(ask, room))
  if grant > 0 and redis.call('INCRBY', key, grant) == grant then redis.call('PEXPIRE', key, ARGV[3 * i]) end
  grants[i] = grant
end
return grants`;

type LeaseScript = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<number[]>;

const SWEEP_INTERVAL_MS = 10_000;

/**
 * Fixed windows shared by every API process. The window index is part of the
 * key, so a window never needs resetting: its key simply expires after it ends.
 *
 * Each process leases room in a window's counter and answers from its lease
 * (LeasedWindow): a busy publisher's requests cost no Redis round trip, which
 * was a turn of the event loop that every POST /api/events waited (npm run
 * bench, fan-out; BENCHMARKS.md, Findings). The counter never grants past the
 * limit, so the processes together never allow more than it; a lease left
 * unspent in one process can refuse another early, by at most 1/50 of the
 * limit per process. The lease requests of one turn of the event loop go to
 * Redis together, one script call for all of them.
 */
export class RedisRateLimiter extends RateLimiter {
  private readonly outage: RedisOutage;
  private readonly lease: LeaseScript;
  private readonly windows = new Map<string, LeasedWindow>();
  private needLease = new Set<LeasedWindow>();
  private nextSweepAt = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly clock: () => number = Date.now,
  ) {
    super();
    this.outage = new RedisOutage(redis);
    redis.defineCommand('heraldRateLimitLease', { lua: LEASE });
    this.lease = (redis as unknown as Record<string, LeaseScript>).heraldRateLimitLease.bind(redis);
  }

  consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    return this.outage.unlessDown(ALLOWED, () => this.count(key, limit, windowMs));
  }

  /** Keys with a window still open in this process; exposed so tests can see that memory stays bounded. */
  get size(): number {
    return this.windows.size;
  }

  private count(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = this.clock();
    this.sweep(now);
    const window = this.windowOf(key, limit, windowMs, now);
    const local = window.tryLocal(now);
    if (local) return Promise.resolve(local);
    return new Promise((resolve, reject) => {
      window.waiting.push({ resolve, reject });
      this.askFor(window);
    });
  }

  private windowOf(key: string, limit: number, windowMs: number, now: number): LeasedWindow {
    const index = Math.floor(now / windowMs);
    const current = this.windows.get(key);
    if (current && current.index === index && current.windowMs === windowMs) {
      current.limit = limit;
      return current;
    }
    const redisKey = `${this.prefix}:rl:${key}:${index}`;
    const window = new LeasedWindow(redisKey, index, (index + 1) * windowMs, windowMs, limit, current?.leaseSize);
    this.windows.set(key, window);
    return window;
  }

  private askFor(window: LeasedWindow): void {
    if (window.asking) return;
    if (this.needLease.size === 0) setImmediate(() => void this.flush());
    this.needLease.add(window);
  }

  /** One script call for every window that needs a lease. */
  private async flush(): Promise<void> {
    const windows = [...this.needLease];
    this.needLease = new Set();
    const asks = windows.map((w) => w.nextLeaseSize());
    const args: (string | number)[] = windows.map((w) => w.redisKey);
    windows.forEach((w, i) => args.push(asks[i], w.limit, w.windowMs));
    for (const w of windows) w.asking = true;
    let grants: number[];
    try {
      grants = await this.lease(windows.length, ...args);
    } catch (error) {
      // Each caller's RedisOutage decides: served while the connection is lost, an error otherwise.
      for (const w of windows) {
        w.asking = false;
        for (const waiter of w.waiting.splice(0)) waiter.reject(error);
      }
      return;
    }
    const now = this.clock();
    windows.forEach((w, i) => {
      w.asking = false;
      w.receive(asks[i], grants[i], now);
      // Requests that arrived while the lease was on its way may need the next one.
      if (w.waiting.length > 0) this.askFor(w);
    });
  }

  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now && window.waiting.length === 0 && !window.asking) this.windows.delete(key);
    }
  }
}
