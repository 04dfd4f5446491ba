/**
 * Latency histogram with log-linear buckets (HdrHistogram's layout, in
 * microseconds): 64 linear sub-buckets per power of two, so any recorded value
 * is reported within 1/64 (~1.6 %) of itself while memory stays fixed however
 * many millions of samples a run records.
 */
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
// About 70 minutes: nothing a bounded scenario can wait for.
const MAX_US = 2 ** 32 - 1;
const ROWS = 32 - SUB_BITS;

export class Histogram {
  private readonly counts = new Float64Array(SUB + ROWS * SUB);
  count = 0;
  max = 0;
  private sum = 0;

  /** Records one value in milliseconds (fractions welcome; negatives, from clock granularity, count as 0). */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    this.counts[indexOf(us)]++;
    this.count++;
    this.sum += us;
    if (ms > this.max) this.max = ms;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  /** The value (ms) at quantile q in [0, 1]; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(upperBound(i) / 1000, this.max);
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count / 1000;
  }

  summary(): LatencySummary {
    return { count: this.count, p50: this.quantile(0.5), p90: this.quantile(0.9), p99: this.quantile(0.99), max: this.max };
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function indexOf(us: number): number {
  if (us < SUB) return us;
  const clamped = Math.min(us, MAX_US);
  // Values in [64·2^e, 128·2^e) share a row of 64 buckets, each 2^e wide.
  const exponent = 31 - Math.clz32(clamped) - SUB_BITS;
  return SUB + exponent * SUB + (Math.floor(clamped / 2 ** exponent) - SUB);
}

function upperBound(index: number): number {
  if (index < SUB) return index;
  const exponent = Math.floor((index - SUB) / SUB);
  const sub = (index - SUB) % SUB;
  return (sub + SUB + 1) * 2 ** exponent - 1;
}
