import { startHerald } from '../support/herald-process';
import { expectContinuedOnce, followOperation, useWorkerCluster } from './support/worker-handover';

// A worker asked to stop (SIGTERM, as a deploy does) hands its running job
// back to the queue at once; another worker continues the operation without
// repeating or losing a chunk — well before BullMQ's lock would have expired.

describe('worker SIGTERM', () => {
  const cluster = useWorkerCluster({
    SIM_TOKENS_PER_SECOND: '20',
    WORKER_LOCK_DURATION_MS: '60000',
    WORKER_STALLED_INTERVAL_MS: '60000',
  });

  it('hands the running job to the other worker, which continues it gap-free', async () => {
    const first = await startHerald({ env: cluster.env, role: 'worker' });
    const { id, stream } = await followOperation(cluster.api, 300, 10);

    // 300 tokens at 20/s: the first worker is still generating when this one has booted, even on a loaded machine.
    await startHerald({ env: cluster.env, role: 'worker' });
    const stoppedAt = Date.now();
    await first.kill('SIGTERM');
    // Nest re-raises SIGTERM after its shutdown hooks, so a clean stop ends by the signal;
    // kill() would have escalated to SIGKILL after 10 s had the worker hung.
    expect(Date.now() - stoppedAt).toBeLessThan(9_000);
    // Resumed by the other worker far sooner than the 60 s lock: the job was handed back, not left to stall.
    await stream.waitFor('"status":"retrying"', 20_000);
    await stream.ended;

    await expectContinuedOnce(cluster.api, id, stream, 300);
  }, 90_000);
});
