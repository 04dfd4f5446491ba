import type { HeraldConfig } from '../config/herald-config';
import type { OperationsRepository, UnfinishedOperation } from '../operations/operations.repository';
import { InProcessJobQueue } from '../queue/in-process-job-queue';
import { GenerationJob, JobHandler, JobOutcome, JobQueue } from '../queue/job-queue';
import { mayAddMissingJob, ORPHAN_AGE_MS, RecoverySweep } from './recovery-sweep';

const TIMEOUT_MS = 300_000;
const config = { limits: { operationTimeoutMs: TIMEOUT_MS } } as HeraldConfig;

function op(id: number, status: UnfinishedOperation['status'], ageMs = 60_000, runningForMs = 30_000): UnfinishedOperation {
  return { id: `00000000-0000-0000-0000-${String(id).padStart(12, '0')}`, userId: 'u', status, ageMs, runningForMs };
}

/** The repository's paging contract over a fixed list: id order, after the cursor. */
function repositoryOf(ops: UnfinishedOperation[]): OperationsRepository {
  return {
    findUnfinished: async (afterId: string | null, limit: number) =>
      ops.filter((o) => afterId === null || o.id > afterId).slice(0, limit),
  } as unknown as OperationsRepository;
}

/** A job queue that records what the sweep asked of it and answers like one where nothing is held. */
class RecordingQueue extends JobQueue {
  readonly asked: { operationId: string; addMissing: boolean }[] = [];
  async revive(job: GenerationJob, addMissing: boolean): Promise<boolean> {
    this.asked.push({ operationId: job.operationId, addMissing });
    return addMissing;
  }
  async enqueue(): Promise<void> {}
  async removeIfWaiting(): Promise<boolean> {
    return false;
  }
  async requestCancel(): Promise<void> {}
  async depth(): Promise<{ waiting: number; active: number }> {
    return { waiting: 0, active: 0 };
  }
  async ping(): Promise<void> {}
}

/** Holds every job it is given until released, like a worker busy with it. */
class HoldingHandler extends JobHandler {
  readonly started: string[] = [];
  private release: () => void = () => undefined;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  async handle(job: GenerationJob): Promise<JobOutcome> {
    this.started.push(job.operationId);
    await this.released;
    return 'finished';
  }
  async abandon(): Promise<void> {}
  finish(): void {
    this.release();
  }
}

describe('mayAddMissingJob', () => {
  it('adds a queued operation once its API has had time to enqueue it', () => {
    expect(mayAddMissingJob(op(1, 'queued', ORPHAN_AGE_MS - 1), TIMEOUT_MS)).toBe(false);
    expect(mayAddMissingJob(op(1, 'queued', ORPHAN_AGE_MS), TIMEOUT_MS)).toBe(true);
  });

  it.each(['running', 'retrying'] as const)(
    'adds a %s operation only past its run time, when no run that lost its job can still be producing',
    (status) => {
      expect(mayAddMissingJob(op(1, status, 10 * TIMEOUT_MS, TIMEOUT_MS - 1), TIMEOUT_MS)).toBe(false);
      expect(mayAddMissingJob(op(1, status, 10 * TIMEOUT_MS, TIMEOUT_MS), TIMEOUT_MS)).toBe(true);
    },
  );
});

describe('RecoverySweep', () => {
  it('asks the queue about every unfinished operation, page after page, saying which may get a new job', async () => {
    const ops = Array.from({ length: 1203 }, (_, i) => op(i, i % 3 === 0 ? 'queued' : 'running', i % 2 ? 1000 : 60_000, i % 5 ? 1000 : TIMEOUT_MS));
    const queue = new RecordingQueue();
    const revived = await new RecoverySweep(config, repositoryOf(ops), queue).run();
    expect(queue.asked).toEqual(ops.map((o) => ({ operationId: o.id, addMissing: mayAddMissingJob(o, TIMEOUT_MS) })));
    expect(revived).toBe(queue.asked.filter((a) => a.addMissing).length);
  });

  it('with the in-process queue, runs each operation it does not hold exactly once, however often it sweeps', async () => {
    const queue = new InProcessJobQueue(1);
    const handler = new HoldingHandler();
    queue.attach(handler);
    // Started a second ago: no run could have lost its job, but in one process nothing is lost unseen.
    const ops = [op(1, 'running', 1000, 1000), op(2, 'queued', 1000, 1000), op(3, 'retrying', 1000, 1000)];
    const sweep = new RecoverySweep(config, repositoryOf(ops), queue);

    expect(await sweep.run()).toBe(3);
    expect(await sweep.run()).toBe(0);
    expect(handler.started).toEqual([ops[0].id]);
    expect(await queue.depth()).toEqual({ waiting: 2, active: 1 });

    handler.finish();
    await queue.detach();
  });
});
