import { randomUUID } from 'node:crypto';
import type { HttpAdapterHost } from '@nestjs/core';
import type { HeraldConfig } from '../config/herald-config';
import { ConnectionLimiter } from '../infra/coordination/connection-limiter';
import type { HeraldMetrics } from '../metrics/herald-metrics';
import { ConnectionRegistry } from './connection-registry';
import type { SseConnection } from './sse-connection';

class RecordingLimiter extends ConnectionLimiter {
  readonly renewals: string[][] = [];
  onRenew: () => void = () => undefined;
  async acquire(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}
  async renew(leases: { userId: string; connectionId: string }[]): Promise<void> {
    this.renewals.push(leases.map((l) => l.connectionId));
    this.onRenew();
  }
}

function connection(i: number): SseConnection {
  return { id: `c${i}`, userId: `u${i}`, options: { view: 'user' }, heartbeat: () => undefined, end: () => undefined } as unknown as SseConnection;
}

describe('ConnectionRegistry lease renewal', () => {
  const config = { sse: { heartbeatMs: 60_000, maxConnections: 100_000 } } as HeraldConfig;
  const metrics = { connectionOpened: () => undefined, connectionClosed: () => undefined } as unknown as HeraldMetrics;
  const adapterHost = { httpAdapter: undefined } as unknown as HttpAdapterHost;

  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('renews every open connection in slices, yielding to the event loop between them', async () => {
    const limiter = new RecordingLimiter();
    const registry = new ConnectionRegistry(config, limiter, metrics, adapterHost);
    registry.onModuleInit();
    const open = Array.from({ length: 1_201 }, (_, i) => connection(i));
    for (const c of open) registry.add(c, false);
    // A connection that closes while earlier slices are renewed is left out of later ones.
    limiter.onRenew = () => {
      if (limiter.renewals.length === 1) registry.remove(open[1_100]);
    };

    jest.advanceTimersByTime(15_000);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));

    expect(limiter.renewals.map((s) => s.length)).toEqual([500, 500, 200]);
    const renewed = limiter.renewals.flat();
    expect(renewed).not.toContain('c1100');
    expect(new Set(renewed).size).toBe(1_200);
    registry.onModuleDestroy();
  });
});

describe('ConnectionRegistry heartbeats', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('heartbeats each connection once per SSE_HEARTBEAT_MS, a slice of them at a time', () => {
    const config = { sse: { heartbeatMs: 15_000, maxConnections: 100_000 } } as HeraldConfig;
    const metrics = { connectionOpened: () => undefined, connectionClosed: () => undefined } as unknown as HeraldMetrics;
    const registry = new ConnectionRegistry(config, new RecordingLimiter(), metrics, { httpAdapter: undefined } as unknown as HttpAdapterHost);
    registry.onModuleInit();
    const beats: string[][] = [];
    const open = Array.from({ length: 3_000 }, (_, i) => {
      const c = { ...connection(i), id: randomUUID(), heartbeat: (asEvent: boolean) => beats.at(-1)!.push(`${c.id}:${asEvent}`) };
      return c as unknown as SseConnection;
    });
    open.forEach((c, i) => registry.add(c, i === 0));

    for (let t = 0; t < 15; t++) {
      beats.push([]);
      jest.advanceTimersByTime(1_000);
    }
    const all = beats.flat();
    expect(all).toHaveLength(3_000);
    expect(new Set(all).size).toBe(3_000);
    expect(all).toContain(`${open[0].id}:true`);
    expect(Math.max(...beats.map((b) => b.length))).toBeLessThan(400);
    registry.onModuleDestroy();
  });
});
