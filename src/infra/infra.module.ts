import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { HeraldConfig } from '../config/herald-config';
import { EventBus } from '../events/event-bus';
import { LocalEventBus } from '../events/local-event-bus';
import { RedisEventBus } from '../events/redis-event-bus';
import { BullmqJobConsumer } from '../queue/bullmq-job-consumer';
import { BullmqJobQueue, GENERATION_QUEUE } from '../queue/bullmq-job-queue';
import { InProcessJobQueue } from '../queue/in-process-job-queue';
import { JobConsumer } from '../queue/job-consumer';
import { JobQueue } from '../queue/job-queue';
import { PeriodicScheduler } from '../queue/periodic-scheduler';
import { TimerPeriodicScheduler } from '../queue/timer-periodic-scheduler';
import { BullmqPeriodicScheduler } from '../queue/bullmq-periodic-scheduler';
import { ConnectionLimiter } from './coordination/connection-limiter';
import { MemoryConnectionLimiter } from './coordination/memory-connection-limiter';
import { MemoryRateLimiter } from './coordination/memory-rate-limiter';
import { RateLimiter } from './coordination/rate-limiter';
import { RedisConnectionLimiter } from './coordination/redis-connection-limiter';
import { RedisRateLimiter } from './coordination/redis-rate-limiter';
import { DatabaseModule } from './database/database.module';
import { REDIS_CLIENT } from './redis-tokens';
import { RedisConnections } from './redis-connections';

const PORTS = [EventBus, JobQueue, JobConsumer, PeriodicScheduler, ConnectionLimiter, RateLimiter];

/**
 * The one place where the mode picks its adapters. Feature modules depend on
 * the ports (EventBus, JobQueue, JobConsumer, ConnectionLimiter, RateLimiter,
 * PeriodicScheduler, SqlDatabase) and never ask which mode they run in.
 */
@Global()
@Module({})
export class InfraModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    const providers = config.mode === 'distributed' ? distributed(config) : embedded(config);
    return {
      module: InfraModule,
      imports: [DatabaseModule],
      providers,
      exports: [...PORTS, REDIS_CLIENT, RedisConnections, DatabaseModule],
    };
  }
}

function embedded(config: HeraldConfig): Provider[] {
  const queue = new InProcessJobQueue(config.worker.concurrency);
  return [
    { provide: RedisConnections, useValue: new RedisConnections(null) },
    { provide: REDIS_CLIENT, useValue: null },
    { provide: EventBus, useValue: new LocalEventBus() },
    { provide: JobQueue, useValue: queue },
    { provide: JobConsumer, useValue: queue.consumer },
    { provide: PeriodicScheduler, useValue: new TimerPeriodicScheduler() },
    { provide: ConnectionLimiter, useValue: new MemoryConnectionLimiter() },
    { provide: RateLimiter, useValue: new MemoryRateLimiter() },
  ];
}

function distributed(config: HeraldConfig): Provider[] {
  const prefix = config.redisPrefix;
  const cancelChannel = `${prefix}:cancel`;
  return [
    { provide: RedisConnections, useFactory: () => new RedisConnections(config.redisUrl) },
    { provide: REDIS_CLIENT, inject: [RedisConnections], useFactory: (r: RedisConnections) => r.open('commands') },
    {
      provide: EventBus,
      inject: [RedisConnections, REDIS_CLIENT],
      useFactory: (r: RedisConnections, client: Redis) => new RedisEventBus(client, () => r.open('events-subscriber'), prefix),
    },
    {
      provide: JobQueue,
      inject: [RedisConnections, REDIS_CLIENT],
      useFactory: (r: RedisConnections, client: Redis) =>
        new BullmqJobQueue(
          new Queue(GENERATION_QUEUE, { connection: r.open('queue', { bullmq: true }), prefix: `${prefix}:bull` }),
          client,
          cancelChannel,
        ),
    },
    {
      provide: JobConsumer,
      inject: [RedisConnections],
      useFactory: (r: RedisConnections) =>
        new BullmqJobConsumer(
          {
            connection: r.open('worker', { bullmq: true }),
            prefix: `${prefix}:bull`,
            concurrency: config.worker.concurrency,
            lockDuration: config.worker.lockDurationMs,
            stalledInterval: config.worker.stalledIntervalMs,
            maxStalledCount: config.worker.maxStalledCount,
            autorun: true,
          },
          r.open('cancel-subscriber'),
          cancelChannel,
        ),
    },
    {
      provide: PeriodicScheduler,
      inject: [RedisConnections],
      useFactory: (r: RedisConnections) =>
        new BullmqPeriodicScheduler(() => r.open('maintenance', { bullmq: true }), `${prefix}:bull`),
    },
    {
      provide: ConnectionLimiter,
      inject: [REDIS_CLIENT],
      useFactory: (client: Redis) => new RedisConnectionLimiter(client, prefix),
    },
    { provide: RateLimiter, inject: [REDIS_CLIENT], useFactory: (client: Redis) => new RedisRateLimiter(client, prefix) },
  ];
}

