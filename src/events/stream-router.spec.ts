import { Subject } from 'rxjs';
import type { HeraldMetrics } from '../metrics/herald-metrics';
import type { EventBus } from './event-bus';
import type { EventStore, StoreCursor } from './event-store';
import { StreamRouter } from './stream-router';

describe('StreamRouter.attach', () => {
  function router(cursor: () => Promise<StoreCursor>) {
    const store = { cursor: jest.fn(cursor), read: jest.fn(async () => []) };
    const bus = { events$: new Subject(), reconnected$: new Subject(), listen: async () => undefined } as unknown as EventBus;
    const metrics = { receivedFromBus: () => undefined } as unknown as HeraldMetrics;
    return { router: new StreamRouter(bus, store as unknown as EventStore, metrics), store };
  }
  const subscriber = () => ({ deliver: jest.fn() });

  it("hands the store cursor it read to open the channel to that caller only, so a resume reads it once", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { router: r, store } = router(async () => {
      await gate;
      return { lastId: 42, purgedThrough: 3 };
    });
    const first = r.attach('u1', subscriber());
    const second = r.attach('u1', subscriber());
    release();
    expect(await first).toEqual({ joinedAt: 42, cursor: { lastId: 42, purgedThrough: 3 } });
    expect(await second).toEqual({ joinedAt: 42, cursor: undefined });
    expect(await r.attach('u1', subscriber())).toEqual({ joinedAt: 42, cursor: undefined });
    expect(store.cursor).toHaveBeenCalledTimes(1);
  });

  it("opens the channel with the opener's own cursor reader (a resume's cursor and first page), and calls no other", async () => {
    const { router: r, store } = router(async () => ({ lastId: 1, purgedThrough: 0 }));
    const page = [{ seq: 9 }] as unknown as StoreCursor['page'];
    const withPage = jest.fn(async () => ({ lastId: 9, purgedThrough: 0, page }));
    const opener = r.attach('u3', subscriber(), withPage);
    const joiner = jest.fn(async () => ({ lastId: 0, purgedThrough: 0 }));
    const joining = r.attach('u3', subscriber(), joiner);
    expect(await opener).toEqual({ joinedAt: 9, cursor: { lastId: 9, purgedThrough: 0, page } });
    expect(await joining).toEqual({ joinedAt: 9, cursor: undefined });
    expect(withPage).toHaveBeenCalledWith('u3');
    expect(joiner).not.toHaveBeenCalled();
    expect(store.cursor).not.toHaveBeenCalled();
  });

  it('lets every waiter see a failed open, and opens afresh on the next attach', async () => {
    let fail = true;
    const { router: r } = router(async () => {
      if (fail) throw new Error('database down');
      return { lastId: 7, purgedThrough: 0 };
    });
    const attempts = [r.attach('u2', subscriber()), r.attach('u2', subscriber())];
    await expect(attempts[0]).rejects.toThrow('database down');
    await expect(attempts[1]).rejects.toThrow('database down');
    fail = false;
    expect((await r.attach('u2', subscriber())).joinedAt).toBe(7);
  });
});
