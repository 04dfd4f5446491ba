import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { ConnectionLimiter } from '../infra/coordination/connection-limiter';
import { HeartbeatWheel } from './heartbeat-wheel';
import { SseConnection } from './sse-connection';
import { HeraldMetrics } from '../metrics/herald-metrics';

const LEASE_RENEW_MS = 15_000;
/**
 * Leases renewed per Redis call. Renewing every connection in one go blocked the
 * event loop for 120–200 ms per 5,000 connections every 15 s, a latency spike
 * every stream felt; slices with a turn of the loop between them spread the work.
 */
const LEASE_RENEW_SLICE = 500;

/**
 * The open SSE connections of this process: one timer for every heartbeat and
 * lease renewal (not one per connection), each spreading its work over its
 * period, and the per-process and per-user limits.
 */
@Injectable()
export class ConnectionRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ConnectionRegistry.name);
  private readonly connections = new Set<SseConnection>();
  private readonly eventHeartbeats = new WeakSet<SseConnection>();
  private readonly heartbeats: HeartbeatWheel<SseConnection>;
  private timers: NodeJS.Timeout[] = [];
  private closing = false;
  private renewing = false;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly limiter: ConnectionLimiter,
    private readonly metrics: HeraldMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.heartbeats = new HeartbeatWheel(config.sse.heartbeatMs);
  }

  onModuleInit(): void {
    this.timers.push(
      setInterval(() => this.beat(), this.heartbeats.tickMs).unref(),
      setInterval(() => void this.renewLeases(), LEASE_RENEW_MS).unref(),
    );
  }

  /**
   * Going away: stop accepting connections, then end every stream so clients
   * reconnect at once — to another instance, since this one no longer listens.
   * Nest closes the HTTP server only after the destroy hooks, which is too
   * late: a client reconnecting in between would land here again. (Nest's own
   * close of the already closed server still resolves once it has drained.)
   */
  onModuleDestroy(): void {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    this.adapterHost.httpAdapter?.getHttpServer()?.close();
    for (const c of [...this.connections]) c.end();
  }

  get size(): number {
    return this.connections.size;
  }

  hasProcessCapacity(): boolean {
    return this.connections.size < this.config.sse.maxConnections;
  }

  acquireUserSlot(userId: string, connectionId: string): Promise<boolean> {
    return this.limiter.acquire(userId, connectionId, this.config.sse.maxConnectionsPerUser);
  }

  add(connection: SseConnection, heartbeatAsEvent: boolean): void {
    this.connections.add(connection);
    this.heartbeats.add(connection);
    this.metrics.connectionOpened(connection.options.view);
    if (heartbeatAsEvent) this.eventHeartbeats.add(connection);
    // Accepted just before the listener closed: it would hold the shutdown open and never see a live event.
    if (this.closing) connection.end();
  }

  remove(connection: SseConnection): void {
    if (!this.connections.delete(connection)) return;
    this.heartbeats.delete(connection);
    this.metrics.connectionClosed(connection.options.view);
    this.limiter.release(connection.userId, connection.id).catch((error: Error) => {
      this.logger.warn(`releasing a connection lease failed: ${error.message}`);
    });
  }

  releaseSlot(userId: string, connectionId: string): void {
    void this.limiter.release(userId, connectionId).catch(() => undefined);
  }

  private beat(): void {
    for (const c of this.heartbeats.tick()) c.heartbeat(this.eventHeartbeats.has(c));
  }

  private async renewLeases(): Promise<void> {
    if (this.renewing || this.connections.size === 0) return;
    this.renewing = true;
    const open = [...this.connections];
    try {
      for (let i = 0; i < open.length && !this.closing; i += LEASE_RENEW_SLICE) {
        const slice = open.slice(i, i + LEASE_RENEW_SLICE).filter((c) => this.connections.has(c));
        await this.limiter.renew(slice.map((c) => ({ userId: c.userId, connectionId: c.id })));
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.logger.warn(`renewing connection leases failed: ${(error as Error).message}`);
    } finally {
      this.renewing = false;
    }
  }
}
