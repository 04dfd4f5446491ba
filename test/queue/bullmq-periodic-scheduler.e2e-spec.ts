import { BullmqPeriodicScheduler } from '../../src/queue/bullmq-periodic-scheduler';
import { eventually } from '../faults/support/eventually';
import { cleanupRedisPrefix, TestRedisConnections, uniqueRedisPrefix } from '../support/test-redis';

// Retention runs from a BullMQ job scheduler kept in Redis. A Redis that comes
// back empty has lost it: the scheduler must register it again on reconnect,
// or retention would stop until a worker restarted.

describe('BullmqPeriodicScheduler', () => {
  const prefix = uniqueRedisPrefix();
  const connections = new TestRedisConnections();
  let scheduler: BullmqPeriodicScheduler;

  afterAll(async () => {
    await scheduler?.stop();
    connections.disconnectAll();
    await cleanupRedisPrefix(prefix);
  }, 30_000);

  it('runs the task every period, and again after Redis lost its keys and the connection came back', async () => {
    let runs = 0;
    scheduler = new BullmqPeriodicScheduler(connections.connect, `${prefix}:bull`);
    await scheduler.schedule('sweep', 200, async () => {
      runs++;
    });
    await eventually(async () => runs >= 2, 'the task runs on schedule', 10_000);

    // Redis restarted empty: every key is gone, and every connection reconnects.
    await cleanupRedisPrefix(prefix);
    for (const c of connections.all) c.disconnect(true);
    const afterWipe = runs;

    await eventually(async () => runs >= afterWipe + 3, 'the task runs again after the wipe', 10_000);
  }, 30_000);
});
