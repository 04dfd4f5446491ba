import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { StoredEvent } from '../events/stored-event';

/**
 * The process's Prometheus metrics. Hot paths call these with an event that
 * is already built; labels are the event type and the view, both bounded sets
 * in practice (custom types are validated names).
 */
@Injectable()
export class HeraldMetrics {
  readonly registry = new Registry();
  private readonly connections = new Gauge({
    name: 'herald_sse_connections',
    help: 'Open SSE connections by view',
    labelNames: ['view'],
    registers: [this.registry],
  });
  private readonly published = new Counter({
    name: 'herald_events_published_total',
    help: 'Stored events received from the bus by this API process, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly delivered = new Counter({
    name: 'herald_events_delivered_total',
    help: 'Live events written to SSE connections, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly replayed = new Counter({
    name: 'herald_events_replayed_total',
    help: 'Stored events replayed to resuming SSE connections, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'herald_delivery_latency_seconds',
    help: 'From an event being stored to its being written to a socket (live events)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'herald_queue_jobs',
    help: 'Generation jobs by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly operations = new Gauge({
    name: 'herald_operations',
    help: 'Operations by status',
    labelNames: ['status'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
  }

  connectionOpened(view: string): void {
    this.connections.inc({ view });
  }

  connectionClosed(view: string): void {
    this.connections.dec({ view });
  }

  receivedFromBus(events: StoredEvent[]): void {
    for (const e of events) this.published.inc({ type: e.type });
  }

  wrote(event: StoredEvent, replay: boolean): void {
    if (replay) {
      this.replayed.inc({ type: event.type });
      return;
    }
    this.delivered.inc({ type: event.type });
    const storedAt = event.storedAtMs;
    if (!Number.isNaN(storedAt)) this.latency.observe(Math.max(0, Date.now() - storedAt) / 1000);
  }
}
