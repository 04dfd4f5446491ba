/**
 * Wall-clock milliseconds with sub-millisecond precision. Publishers stamp
 * events with it and the client compares against it; both run in this process,
 * so they share one clock. Server `ts` stamps come from Date, the same clock.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
