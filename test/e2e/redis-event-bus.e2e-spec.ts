import Redis from 'ioredis';
import { RedisEventBus } from '../../src/events/redis-event-bus';
import { StoredEvent } from '../../src/events/stored-event';
import { eventually } from '../faults/support/eventually';
import { TEST_REDIS_URL, TestRedisConnections, useTestRedis } from '../support/test-redis';

// The bus between processes, on the real Redis: a process that routes streams
// delivers its own batches to them at once and must not deliver them again
// when they come back from Redis; every other process gets each batch once.

function event(userId: string, seq: number): StoredEvent {
  return new StoredEvent(userId, seq, 'app.note', null, null, null, `{"n":${seq}}`, new Date().toISOString());
}

function seqs(batches: StoredEvent[][]): string[] {
  return batches.map((b) => b.map((e) => `${e.userId}#${e.seq}`).join(','));
}

describe('RedisEventBus', () => {
  const suite = useTestRedis();
  const connections = new TestRedisConnections();
  const buses: RedisEventBus[] = [];

  function bus(publisher: Redis = connections.connect()): { bus: RedisEventBus; received: StoredEvent[][] } {
    const b = new RedisEventBus(publisher, connections.connect, suite.prefix);
    const received: StoredEvent[][] = [];
    b.events$.subscribe((batch) => received.push(batch));
    buses.push(b);
    return { bus: b, received };
  }

  afterAll(async () => {
    for (const b of buses) await b.onModuleDestroy();
    connections.disconnectAll();
  });

  it("delivers a listening process's own batch at once, and once; other processes get it once through Redis", async () => {
    const api1 = bus();
    const api2 = bus();
    await Promise.all([api1.bus.listen(), api2.bus.listen()]);

    const publishing = api1.bus.publish([event('u1', 1), event('u1', 2)]);
    // Handed to api1's streams before Redis has answered.
    expect(seqs(api1.received)).toEqual(['u1#1,u1#2']);
    await publishing;

    // Redis keeps the channel's order: once api2's later batch is back at api1,
    // api1's own message has come back too, and was skipped.
    await api2.bus.publish([event('u2', 1)]);
    await eventually(async () => api1.received.length >= 2, 'api1 receives the batch api2 published', 5_000);
    expect(seqs(api1.received)).toEqual(['u1#1,u1#2', 'u2#1']);
    expect(seqs(api2.received)).toEqual(['u1#1,u1#2', 'u2#1']);
  });

  it('delivers a listening process its own batch even when Redis refuses the publish', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    const api = bus(unreachable);
    await api.bus.listen();

    await expect(api.bus.publish([event('u3', 1)])).rejects.toThrow();
    expect(seqs(api.received)).toEqual(['u3#1']);
    unreachable.disconnect();
  });

  it('keeps a process that does not listen (a worker) from emitting what it publishes', async () => {
    const api = bus();
    const worker = bus();
    await api.bus.listen();

    await worker.bus.publish([event('u4', 1)]);
    await eventually(async () => api.received.length === 1, 'the API receives the worker batch', 5_000);
    expect(seqs(api.received)).toEqual(['u4#1']);
    expect(worker.received).toEqual([]);
  });

  it('still reads the bare array an older version publishes', async () => {
    const api = bus();
    await api.bus.listen();
    const wire = [{ u: 'u5', s: 7, t: 'app.note', o: null, w: null, a: null, d: '{}', ts: new Date().toISOString() }];

    const older = new Redis(TEST_REDIS_URL);
    await older.publish(`${suite.prefix}:events`, JSON.stringify(wire));
    older.disconnect();

    await eventually(async () => api.received.length === 1, 'the API receives the older message', 5_000);
    expect(seqs(api.received)).toEqual(['u5#7']);
  });
});
