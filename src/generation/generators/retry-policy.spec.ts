import { retryAfterMs, retryDelay } from './retry-policy';

describe('retryDelay', () => {
  const options = { baseMs: 100, maxMs: 1_000 };

  it('doubles with each failure, up to the cap, with half of it random', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, options, null, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
    expect(retryDelay(3, options, null, () => 0)).toBe(200);
  });

  it('waits at least as long as the provider asked, within reason', () => {
    expect(retryDelay(1, options, 5_000, () => 1)).toBe(5_000);
    expect(retryDelay(4, options, 10, () => 1)).toBe(800);
    expect(retryDelay(1, options, 3_600_000, () => 1)).toBe(60_000);
  });
});

describe('retryAfterMs', () => {
  const headers = (init: Record<string, string>) => new Headers(init);

  it('reads seconds, HTTP dates and retry-after-ms', () => {
    expect(retryAfterMs(headers({ 'Retry-After': '2' }))).toBe(2_000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'Retry-After': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3_000);
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'Retry-After': '9' }))).toBe(250);
  });

  it('is null when absent or unreadable', () => {
    expect(retryAfterMs(headers({}))).toBeNull();
    expect(retryAfterMs(headers({ 'Retry-After': 'soon' }))).toBeNull();
  });
});
