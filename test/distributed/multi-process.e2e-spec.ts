import type { OperationResult } from '@herald/contracts';
import Redis from 'ioredis';
import { TEST_REDIS_URL } from '../support/test-redis';
import { collectEvents, CollectedEvent } from '../support/sse-client';
import { Cluster, startCluster, withProcessOutput } from './support/cluster';
import { HeraldApi } from './support/herald-api';
import { isStrictlyIncreasing, lastEventIdOf, reassemble } from './support/operation-checks';

const CANCEL_DEADLINE_MS = 1500;
const isTerminal = (ev: CollectedEvent) =>
  ev.type === 'operation.completed' || ev.type === 'operation.failed' || ev.type === 'operation.cancelled';

// A user of the product runs separate API and worker processes; an operation
// started through one API process must reach clients of another, whichever
// worker runs it, with nothing lost, repeated or reordered.
describe('distributed: 2 API processes + 2 worker processes', () => {
  let cluster: Cluster;
  let api1: HeraldApi;
  let api2: HeraldApi;
  let token: string;
  const userId = 'user-multi-process';

  beforeAll(async () => {
    cluster = await startCluster({ apis: 2, workers: 2, env: { SIM_TOKENS_PER_SECOND: '200' } });
    token = cluster.token(userId);
    api1 = new HeraldApi(cluster.apis[0].url, token);
    api2 = new HeraldApi(cluster.apis[1].url, token);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Opens a live-only user view on API #1 and resolves once it is registered (stream.ready seen). */
  async function openUserView(until: (ev: CollectedEvent) => boolean) {
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((r) => (ready = r));
    const events = collectEvents(`${api1.baseUrl}/api/events/stream`, {
      token,
      timeoutMs: 30_000,
      until: (ev) => {
        if (ev.type === 'stream.ready') ready();
        return until(ev);
      },
    });
    await Promise.race([isReady, events]);
    return events;
  }

  it('delivers a text operation started through API #2 to API #1 views, complete and in order', async () => {
    let opId = '';
    const live = openUserView((ev) => isTerminal(ev) && (ev.json as { operationId: string }).operationId === opId);
    // The user view is connected before the operation exists, so everything it gets arrived live through Redis.
    await new Promise((r) => setTimeout(r, 200));
    const accepted = await api2.startOperation({ kind: 'text-generation', input: { prompt: 'a lighthouse keeper', maxTokens: 80 } });
    opId = accepted.id;
    const viewed = await collectEvents(`${api1.baseUrl}/api/events/operations/${opId}`, {
      token,
      timeoutMs: 30_000,
      until: isTerminal,
    });
    const liveEvents = await live;
    const op = await api2.getOperation(opId);
    expect(op.status).toBe('completed');
    const result = op.result as OperationResult;

    for (const events of [liveEvents, viewed]) {
      const got = reassemble(events, opId);
      expect(isStrictlyIncreasing(got.ids)).toBe(true);
      expect(got.statuses).toEqual(['queued', 'running', 'completed']);
      expect(got.indexes).toEqual(Array.from({ length: got.indexes.length }, (_, i) => i));
      expect(got.indexes.length).toBe(80);
      expect(got.text).toBe(result.text);
      expect(got.terminal?.type).toBe('operation.completed');
      expect(got.terminal?.data.result).toEqual(result);
      expect(got.ids.at(-1)).toBe(lastEventIdOf(op));
    }
    // Both views carry the same stored events: same ids for this operation.
    expect(reassemble(liveEvents, opId).ids).toEqual(reassemble(viewed, opId).ids);
  }, 60_000);

  it('delivers a pipeline operation stage by stage', async () => {
    const stages = [
      { name: 'characters', prompt: 'who lives in the tower', maxTokens: 20 },
      { name: 'world', prompt: 'the drowned city', maxTokens: 25 },
      { name: 'plot', prompt: 'what the storm uncovers', maxTokens: 15 },
    ];
    const accepted = await api2.startOperation({ kind: 'pipeline', input: { stages }, workflowId: 'genesis-1' });
    const events = await collectEvents(`${api1.baseUrl}/api/events/operations/${accepted.id}`, {
      token,
      timeoutMs: 30_000,
      until: isTerminal,
    });
    const op = await api1.getOperation(accepted.id);
    const result = op.result as OperationResult;
    const got = reassemble(events, accepted.id);

    expect(op.status).toBe('completed');
    expect(isStrictlyIncreasing(got.ids)).toBe(true);
    expect(got.indexes).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(got.text).toBe(result.text);
    expect(got.stages).toEqual(result.stages);
    expect(got.stages.map((s) => s.name)).toEqual(['characters', 'world', 'plot']);
    const progressStages = events
      .filter((e) => e.type === 'operation.progress')
      .map((e) => (e.json as { data: { stageIndex?: number } }).data.stageIndex)
      .filter((i) => i !== undefined);
    expect(isStrictlyIncreasing([...new Set(progressStages)])).toBe(true);
    expect(got.terminal?.data.result).toEqual(result);
  }, 60_000);

  // A failure prints every process's output: a cancel that never took effect is otherwise silent.
  it('cancels through API #2 an operation running on a worker; API #1 clients see operation.cancelled within 1.5 s', () =>
    withProcessOutput(cluster, async () => {
    // 4000 tokens at 200/s would run for 20 s: only the cancel can end it early.
    const accepted = await api2.startOperation({ kind: 'text-generation', input: { prompt: 'an endless tale', maxTokens: 4000 } });
    const arrivals = new Map<CollectedEvent, number>();
    let cancelResponseAt = 0;
    let cancelSent: Promise<void> | undefined;
    const events = await collectEvents(`${api1.baseUrl}/api/events/operations/${accepted.id}`, {
      token,
      timeoutMs: 30_000,
      until: (ev) => {
        arrivals.set(ev, Date.now());
        // A content chunk proves a worker is running it: cancel now, through the other API process.
        if (ev.type === 'operation.content' && !cancelSent) {
          cancelSent = api2.cancel(accepted.id).then(() => {
            cancelResponseAt = Date.now();
          });
        }
        return isTerminal(ev);
      },
    });
    await cancelSent;
    const cancelled = events.find((e) => e.type === 'operation.cancelled');
    const statusCancelled = events.find(
      (e) => e.type === 'operation.status' && (e.json as { data: { status: string } }).data.status === 'cancelled',
    );
    expect(cancelled).toBeDefined();
    expect(statusCancelled).toBeDefined();
    const latencyMs = arrivals.get(cancelled!)! - cancelResponseAt;
    process.stdout.write(`cancel → operation.cancelled on the other API process: ${latencyMs} ms after the 202\n`);
    expect(latencyMs).toBeLessThanOrEqual(CANCEL_DEADLINE_MS);

    const got = reassemble(events, accepted.id);
    expect(got.statuses).toEqual(['queued', 'running', 'cancelled']);
    expect(got.terminal?.type).toBe('operation.cancelled');
    expect(got.indexes).toEqual(Array.from({ length: got.indexes.length }, (_, i) => i));
    expect(got.indexes.length).toBeLessThan(4000);
    const op = await api1.getOperation(accepted.id);
    expect(op.status).toBe('cancelled');
    expect(got.ids.at(-1)).toBe(lastEventIdOf(op));
    }), 60_000);

  it('has only the API processes listening to the events channel: workers publish and never receive', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const [, listeners] = (await redis.pubsub('NUMSUB', `${cluster.redisPrefix}:events`)) as [string, number];
      expect(listeners).toBe(2);
    } finally {
      redis.disconnect();
    }
  });
});
