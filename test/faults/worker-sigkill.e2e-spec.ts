import { startHerald } from '../support/herald-process';
import { expectContinuedOnce, followOperation, useWorkerCluster } from './support/worker-handover';

// A worker killed outright (SIGKILL: no shutdown hooks, no hand-back) loses
// its BullMQ lock; the stalled-job check gives the job to the other worker,
// which continues the operation: clients see retrying then running, content
// indexes run 0..n-1 once each, and the chunks concatenate to the result.

describe('worker SIGKILL mid-generation', () => {
  const cluster = useWorkerCluster({
    SIM_TOKENS_PER_SECOND: '25',
    // Notice a dead worker within seconds rather than BullMQ's default 30 s.
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
  });

  it('is recovered by the other worker and completes gap-free', async () => {
    const doomed = await startHerald({ env: cluster.env, role: 'worker' });
    const { id, stream } = await followOperation(cluster.api, 200, 15);

    // Killed before the other worker exists, so the kill cannot lose a race with a slow boot.
    await doomed.kill('SIGKILL');
    await startHerald({ env: cluster.env, role: 'worker' });
    await stream.ended;

    await expectContinuedOnce(cluster.api, id, stream, 200);
  }, 90_000);
});
