import { readStoredRows } from '../distributed/support/resume-check';
import { SseSession } from '../distributed/support/sse-session';
import { sleep } from '../distributed/support/time';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { makeToken } from '../support/tokens';
import { eventually } from './support/eventually';
import { readiness } from './support/readiness';
import { RedisServer } from './support/redis-server';

// Redis (event bus, queues, limits) crashes mid-stream and comes back empty.
// Events keep being stored meanwhile; the API processes report not-ready yet
// still serve reads and new streams from the database; once Redis is back the
// bus and the queues reconnect, open connections fill the hole from the
// store, and every client has exactly the stored sequence.

const SECRET = 'redis-restart-secret-0123456789abcdefgh';
const USER = 'redis-restart-user';
const token = makeToken(SECRET, USER);
const auth = { Authorization: `Bearer ${token}` };
const OUTAGE_MS = 3000;

async function startOperation(apiUrl: string, prompt: string, maxTokens: number): Promise<string> {
  const res = await fetch(`${apiUrl}/api/operations`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'text-generation', input: { prompt, maxTokens } }),
  });
  if (res.status !== 202) throw new Error(`POST /api/operations: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

const ids = (session: SseSession) => session.ids().map(Number);
const terminalOf = (session: SseSession) => session.events.find((e) => /^operation\.(completed|failed|cancelled)$/.test(e.type));

describe('Redis restarted mid-stream', () => {
  let redis: RedisServer;
  let db: TestDatabase;
  let apis: HeraldProcess[];
  let worker: HeraldProcess;

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, JWT_SECRET: SECRET, SIM_TOKENS_PER_SECOND: '25' };
    apis = [await startHerald({ env, role: 'api' })];
    apis.push(await startHerald({ env, role: 'api' }));
    worker = await startHerald({ env, role: 'worker' });
  }, 90_000);

  afterAll(async () => {
    await stopAllHeralds();
    await redis?.kill();
    await db?.drop();
  }, 60_000);

  it('reports not-ready meanwhile, reconnects bus and queues, and loses nothing', async () => {
    const output = () => [...apis, worker].map((p) => `--- ${p.role} ${p.pid} ---\n${p.output()}`).join('\n');
    const userView = new SseSession(`${apis[0].url}/api/events/stream?lastEventId=0`, auth);
    const opId = await startOperation(apis[1].url, 'the bus goes quiet', 200);
    const opView = new SseSession(`${apis[1].url}/api/events/operations/${opId}`, auth);
    let lateView: SseSession | undefined;
    try {
      await eventually(() => opView.events.filter((e) => e.type === 'operation.content').length >= 20, '20 chunks');

      await redis.kill();
      const during = await Promise.all(apis.map((api) => readiness(api.url)));
      // The database still answers: reads work and a new stream replays from the store.
      const read = await fetch(`${apis[0].url}/api/operations/${opId}`, { headers: auth, signal: AbortSignal.timeout(5000) });
      lateView = new SseSession(`${apis[1].url}/api/events/stream?lastEventId=0`, auth);
      await eventually(() => lateView!.events.length > 1, 'a stream opened during the outage to replay', 5000);
      await sleep(OUTAGE_MS);
      await redis.start();
      const allReady = async () => (await Promise.all(apis.map((a) => readiness(a.url)))).every((r) => r.status === 200);
      await eventually(allReady, 'ready again');

      expect(during).toEqual(apis.map(() => expect.objectContaining({ status: 503, queue: 'down' })));
      expect(read.status).toBe(200);
      await eventually(() => terminalOf(opView) !== undefined, 'the operation to end', 60_000);
      expect(terminalOf(opView)?.type).toBe('operation.completed');

      // The queues reconnected: a new operation is taken by the worker and runs to its end.
      const afterId = await startOperation(apis[0].url, 'after the restart', 10);
      const completed = () => userView.events.some((e) => e.type === 'operation.completed' && e.data.includes(afterId));
      await eventually(completed, 'the new operation to complete');

      // The fault hit: events were stored while they could not be published, and both processes re-read the store.
      expect(worker.output()).toMatch(/publish failed after commit/);
      for (const api of apis) expect(api.output()).toMatch(/event bus reconnected/);

      // Both user views hold every stored event, in order; the operation view exactly that operation's share.
      const stored = (await readStoredRows(db.url, USER)).map((r) => r.id);
      await eventually(() => ids(lateView!).at(-1) === stored.at(-1), 'the stream opened during the outage to catch up');
      expect(ids(userView)).toEqual(stored);
      expect(ids(lateView)).toEqual(stored);
      const ofOperation = userView.events.filter((e) => e.id !== null && JSON.parse(e.data).operationId === opId);
      expect(ids(opView)).toEqual(ofOperation.map((e) => Number(e.id)));
    } catch (error) {
      process.stdout.write(`${output()}\n`);
      throw error;
    } finally {
      for (const session of [userView, opView, lateView]) session?.close();
    }
  }, 90_000);
});
