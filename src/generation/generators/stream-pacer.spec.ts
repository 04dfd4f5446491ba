import { getEventListeners } from 'node:events';
import { StreamPacer } from './stream-pacer';

describe('StreamPacer', () => {
  it('pauses for the time asked', async () => {
    const pacer = new StreamPacer(new AbortController().signal);
    const started = Date.now();
    await pacer.sleep(40);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    pacer.close();
  });

  it('ends a pause as soon as the signal aborts, and later pauses at once', async () => {
    const controller = new AbortController();
    const pacer = new StreamPacer(controller.signal);
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await pacer.sleep(10_000);
    await pacer.sleep(10_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    pacer.close();
  });

  it('holds one abort listener however many pauses it makes, and none once closed', async () => {
    const signal = new AbortController().signal;
    const pacer = new StreamPacer(signal);
    for (let i = 0; i < 5; i++) await pacer.sleep(1);
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    pacer.close();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('close releases a pause in progress', async () => {
    const pacer = new StreamPacer(new AbortController().signal);
    const pause = pacer.sleep(10_000);
    pacer.close();
    await expect(pause).resolves.toBeUndefined();
  });
});
