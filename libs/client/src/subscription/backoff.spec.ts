import { backoffDelay, sleep } from './backoff';

describe('backoffDelay', () => {
  it('doubles the ceiling from the base: 1 s, 2 s, 4 s … capped at 30 s', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelay(n, 1000, 30_000, () => 1));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('uses full jitter: anywhere from zero to the ceiling', () => {
    expect(backoffDelay(2, 1000, 30_000, () => 0)).toBe(0);
    expect(backoffDelay(2, 1000, 30_000, () => 0.5)).toBe(2000);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(3, 1000, 30_000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(8000);
    }
  });

  it('starts from the server retry value when one was sent', () => {
    expect([0, 1, 2].map((n) => backoffDelay(n, 2000, 30_000, () => 1))).toEqual([2000, 4000, 8000]);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
