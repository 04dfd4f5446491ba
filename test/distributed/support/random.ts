/** A small seeded PRNG (mulberry32): the same seed gives the same choices, so a failing run can be replayed. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * An independent generator for one actor (a writer, a client). Concurrent
   * actors interleave by timing, so one shared generator would hand each of
   * them different numbers from run to run; one per actor keeps each actor's
   * own decisions reproducible from the seed.
   */
  fork(index: number): Rng {
    return new Rng((Math.imul(this.seed ^ 0x9e3779b9, index + 1) ^ Math.imul(index, 0x85ebca6b)) >>> 0);
  }
}
