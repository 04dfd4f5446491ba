import request from 'supertest';
import { Cluster, startCluster } from '../distributed/support/cluster';
import { eventually } from '../faults/support/eventually';
import { RedisServer } from '../faults/support/redis-server';
import { useHerald } from './support/boot-app';
import { MODES } from './modes';

// SPEC §3 "Operations surface": /health/live and /health/ready (database,
// Redis, queue), answered by @nestjs/terminus in its standard shape. Live
// depends on nothing; ready is 503, naming what is down, while a dependency is.

const NO_CACHE = 'no-cache, no-store, must-revalidate';

describe.each(MODES)('health (%s mode)', (mode) => {
  const herald = useHerald(mode);

  it('live answers 200 without a token and checks nothing', async () => {
    const res = await request(herald().url).get('/health/live');

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe(NO_CACHE);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('ready answers 200 with each dependency up and the queue depth', async () => {
    const res = await request(herald().url).get('/health/ready');

    const up = { status: 'up' };
    const queue = { status: 'up', waiting: expect.any(Number), active: expect.any(Number) };
    // Embedded mode runs without Redis: there is nothing to check.
    const details = mode === 'distributed' ? { database: up, redis: up, queue } : { database: up, queue };
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe(NO_CACHE);
    expect(res.body).toEqual({ status: 'ok', info: details, error: {}, details });
  });
});

describe('health while Redis is down (distributed mode)', () => {
  let redis: RedisServer;
  let cluster: Cluster;

  beforeAll(async () => {
    // A private Redis the test may kill: the shared one serves other suites.
    redis = await RedisServer.start();
    cluster = await startCluster({ apis: 1, workers: 0, env: { REDIS_URL: redis.url } });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await redis?.kill();
  }, 60_000);

  it('ready says 503 naming Redis and the queue, live stays 200, and ready recovers with Redis', async () => {
    const [api] = cluster.apis;
    await redis.kill();
    const started = Date.now();
    const ready = await request(api.url).get('/health/ready');
    const answeredInMs = Date.now() - started;
    const live = await request(api.url).get('/health/live');
    await redis.start();
    await eventually(async () => (await request(api.url).get('/health/ready')).status === 200, 'ready again');

    expect(ready.status).toBe(503);
    const down = { status: 'down', message: expect.any(String) };
    expect(ready.body).toEqual({
      status: 'error',
      info: { database: { status: 'up' } },
      error: { redis: down, queue: down },
      details: { database: { status: 'up' }, redis: down, queue: down },
    });
    // Each check is bounded (2 s), and they run side by side.
    expect(answeredInMs).toBeLessThan(5000);
    expect(live.status).toBe(200);
  }, 60_000);
});
