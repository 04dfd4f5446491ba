import { RateLimitDecision } from './rate-limiter';

export const ALLOWED: RateLimitDecision = Object.freeze({ allowed: true, retryAfterMs: 0 });

/** Share of a limit one process may lease at once: at most this much of a window is ever stranded in another process. */
const LEASE_SHARE = 50;

export interface Waiting {
  resolve: (decision: RateLimitDecision) => void;
  reject: (error: unknown) => void;
}

/**
 * One key's fixed window as this process sees it: the allowance it has leased
 * from the shared counter and how much of that it has spent. Requests are
 * answered from the lease without a round trip; only when it runs out does
 * the process ask for more. Leases grow while a key stays busy (1, 2, 4, …)
 * up to 1/50 of the limit, so a quiet key asks for exactly what it needs,
 * while a key serving thousands of requests a second asks rarely.
 */
export class LeasedWindow {
  /** Allowance this process holds for the window, spent or not. */
  private granted = 0;
  private used = 0;
  /** The shared counter had no room left: refuse until the window ends. */
  private full = false;
  private nextAsk = 1;
  readonly waiting: Waiting[] = [];
  /** A lease request for this window is in flight. */
  asking = false;

  constructor(
    readonly redisKey: string,
    readonly index: number,
    readonly endsAt: number,
    readonly windowMs: number,
    public limit: number,
    /** Lease size to start from: a key busy in the last window stays busy. */
    firstAsk = 1,
  ) {
    this.nextAsk = Math.min(firstAsk, this.maxLease);
  }

  /** The decision when it can be taken locally, or null when the request must wait for a lease. */
  tryLocal(now: number): RateLimitDecision | null {
    if (this.used < this.granted && this.waiting.length === 0) {
      this.used++;
      return ALLOWED;
    }
    if (this.full) return this.refusal(now);
    return null;
  }

  /** How much to ask for now: everyone waiting, and at least the current lease size. */
  nextLeaseSize(): number {
    return Math.max(this.waiting.length, this.nextAsk);
  }

  /** Takes what the shared counter granted and answers the waiting requests, first come first served. */
  receive(asked: number, grant: number, now: number): void {
    this.granted += grant;
    if (grant < asked) this.full = true;
    this.nextAsk = Math.min(this.maxLease, asked * 2);
    while (this.waiting.length > 0 && this.used < this.granted) {
      this.used++;
      this.waiting.shift()!.resolve(ALLOWED);
    }
    if (this.full) while (this.waiting.length > 0) this.waiting.shift()!.resolve(this.refusal(now));
  }

  /** The lease size this window ended with, for the key's next window. */
  get leaseSize(): number {
    return this.nextAsk;
  }

  private get maxLease(): number {
    return Math.max(1, Math.floor(this.limit / LEASE_SHARE));
  }

  private refusal(now: number): RateLimitDecision {
    return { allowed: false, retryAfterMs: Math.max(1, this.endsAt - now) };
  }
}
