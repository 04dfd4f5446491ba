import { Job, Queue, Worker } from 'bullmq';
import { BullmqJobQueue, GENERATION_QUEUE } from '../../src/queue/bullmq-job-queue';
import { GenerationJob } from '../../src/queue/job-queue';
import { eventually } from '../faults/support/eventually';
import { cleanupRedisPrefix, TestRedisConnections, uniqueRedisPrefix } from '../support/test-redis';

// BullmqJobQueue.revive, the recovery sweep's one write to the queue, against
// the real Redis: a job BullMQ is done with (failed, completed) runs again,
// once, even when several workers' sweeps ask at the same moment; one waiting
// or running is never started a second time; a missing one is added only when
// the sweep says it may be. Revived runs are held until the end, so a second
// run at the same time would show.

const job = (n: number): GenerationJob => ({ operationId: `op-${n}`, userId: 'u' });

describe('BullmqJobQueue.revive', () => {
  const prefix = `${uniqueRedisPrefix()}:bull`;
  const connections = new TestRedisConnections();
  const connect = connections.connect;
  let queue: Queue;
  let jobs: BullmqJobQueue;
  /** The same queue as another worker's sweep sees it: its own connections. */
  let otherQueue: Queue;
  let otherJobs: BullmqJobQueue;
  let worker: Worker<GenerationJob>;
  /** Per operation: how many times a worker started it, and what the next run does. */
  const runs = new Map<string, number>();
  const behaviour = new Map<string, 'fail' | 'hold' | 'complete'>();
  let releaseHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (releaseHeld = resolve));

  const stateOf = async (n: number) => (await queue.getJob(job(n).operationId))?.getState() ?? 'missing';
  const reviveTwiceAtOnce = (n: number, addMissing: boolean) => Promise.all([jobs, otherJobs].map((q) => q.revive(job(n), addMissing)));

  beforeAll(async () => {
    queue = new Queue(GENERATION_QUEUE, { connection: connect(), prefix });
    jobs = new BullmqJobQueue(queue, connect(), 'c');
    otherQueue = new Queue(GENERATION_QUEUE, { connection: connect(), prefix });
    otherJobs = new BullmqJobQueue(otherQueue, connect(), 'c');
    worker = new Worker<GenerationJob>(
      GENERATION_QUEUE,
      async (j: Job<GenerationJob>) => {
        const id = j.data.operationId;
        runs.set(id, (runs.get(id) ?? 0) + 1);
        const next = behaviour.get(id) ?? 'complete';
        if (next === 'fail') throw new Error('the database is unreachable');
        if (next === 'hold') await held;
      },
      { connection: connect(), prefix, concurrency: 10 },
    );
    await worker.waitUntilReady();
  });

  afterAll(async () => {
    releaseHeld();
    await worker.close(true);
    await queue.close();
    await otherQueue.close();
    connections.disconnectAll();
    await cleanupRedisPrefix(prefix);
  });

  it('runs a failed job again, once, however many sweeps revive it at the same moment', async () => {
    behaviour.set(job(1).operationId, 'fail');
    await jobs.enqueue(job(1));
    await eventually(async () => (await stateOf(1)) === 'failed', 'the first run to fail');

    behaviour.set(job(1).operationId, 'hold');
    expect((await reviveTwiceAtOnce(1, false)).filter(Boolean)).toHaveLength(1);
    // BullMQ marks the job active before the worker calls the processor: wait for the run itself.
    await eventually(async () => (await stateOf(1)) === 'active' && runs.get(job(1).operationId) === 2, 'the revived run');
    expect(await reviveTwiceAtOnce(1, true)).toEqual([false, false]);
    expect(runs.get(job(1).operationId)).toBe(2);
  });

  it('lets a cancel remove a failed job waiting to be revived, so the operation ends at once', async () => {
    behaviour.set(job(6).operationId, 'fail');
    await jobs.enqueue(job(6));
    await eventually(async () => (await stateOf(6)) === 'failed', 'the run to fail');
    expect(await jobs.removeIfWaiting(job(6).operationId)).toBe(true);
    expect(await stateOf(6)).toBe('missing');
    expect(await jobs.revive(job(6), false)).toBe(false);
  });

  it('runs a completed job again (its operation did not finish)', async () => {
    await jobs.enqueue(job(2));
    await eventually(async () => (await stateOf(2)) === 'completed', 'the first run to complete');
    expect(await jobs.revive(job(2), false)).toBe(true);
    await eventually(() => runs.get(job(2).operationId) === 2, 'the second run');
  });

  it('never starts a job that is running or waiting a second time', async () => {
    behaviour.set(job(3).operationId, 'hold');
    await jobs.enqueue(job(3));
    await eventually(async () => (await stateOf(3)) === 'active', 'the job to be taken');
    expect(await reviveTwiceAtOnce(3, true)).toEqual([false, false]);

    expect(runs.get(job(3).operationId)).toBe(1);
    expect(await stateOf(3)).toBe('active');

    // A queue no worker serves, so its job stays waiting.
    const idle = new Queue(GENERATION_QUEUE, { connection: connect(), prefix: `${prefix}-idle` });
    const idleJobs = new BullmqJobQueue(idle, connect(), 'c');
    await idleJobs.enqueue(job(4));
    expect(await idleJobs.revive(job(4), true)).toBe(false);
    expect(await idle.getJobCounts('waiting', 'active', 'completed', 'failed')).toMatchObject({ waiting: 1, active: 0, completed: 0, failed: 0 });
    await idle.obliterate({ force: true });
    await idle.close();
  });

  it('adds a missing job only when the sweep allows it, and only once', async () => {
    expect(await jobs.revive(job(5), false)).toBe(false);
    expect(await stateOf(5)).toBe('missing');
    behaviour.set(job(5).operationId, 'hold');
    await reviveTwiceAtOnce(5, true);
    await eventually(async () => (await stateOf(5)) === 'active', 'the added job to run');
    expect(await reviveTwiceAtOnce(5, true)).toEqual([false, false]);
    expect(runs.get(job(5).operationId)).toBe(1);
  });
});
