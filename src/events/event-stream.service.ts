import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EventTypes } from '@herald/contracts';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiError } from '../common/api-error';
import { ConnectionRegistry } from './connection-registry';
import { EventFilter } from './event-filter';
import { EventStore, StoreCursor } from './event-store';
import { SseConnection } from './sse-connection';
import { StoredEvent } from './stored-event';
import { StreamQuery } from './stream-query';
import { StreamRouter } from './stream-router';
import { HeraldMetrics } from '../metrics/herald-metrics';

const REPLAY_PAGE = 1000;

export interface StreamView {
  name: 'user' | 'operation' | 'workflow' | 'agent';
  filter: EventFilter;
  /** Operation view: the operation's terminal event id if it has ended, and whether to replay without a Last-Event-ID. */
  operation?: { id: string; terminalEventId: number | null };
}

/**
 * Opens an SSE response for a view: limits, headers, `retry:` and
 * `stream.ready`, then the catch-up handshake of DESIGN.md — register for live
 * events (held back), replay the store after Last-Event-ID, release the held
 * events minus what the replay already wrote.
 */
@Injectable()
export class EventStreamService {
  private readonly logger = new Logger(EventStreamService.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly registry: ConnectionRegistry,
    private readonly router: StreamRouter,
    private readonly store: EventStore,
    private readonly metrics: HeraldMetrics,
  ) {}

  async open(req: Request, res: Response, user: AuthenticatedUser, view: StreamView, query: StreamQuery): Promise<void> {
    const after = view.operation ? (query.lastEventId ?? 0) : query.lastEventId;
    const terminal = view.operation?.terminalEventId ?? null;
    if (terminal !== null && query.lastEventId !== undefined && query.lastEventId >= terminal) {
      // Nothing more will ever come: 204 tells EventSource to stop reconnecting.
      res.status(204).end();
      return;
    }
    if (!this.registry.hasProcessCapacity()) {
      throw new ApiError(503, 'TOO_MANY_CONNECTIONS', 'this server holds all the streams it can; retry shortly', {
        'Retry-After': '5',
      });
    }
    const filter: EventFilter = { ...view.filter, types: query.types };
    // Declared before the connection: a client can drop while the slot is being
    // taken, and its close handler must not touch a variable still in its TDZ.
    let expiryTimer: NodeJS.Timeout | undefined;
    const connection = new SseConnection(res, {
      userId: user.userId,
      view: view.name,
      filter,
      maxBufferedBytes: this.config.sse.maxBufferedBytes,
      endAfterTerminalOf: view.operation?.id,
      onClose: (c) => this.closed(c, expiryTimer),
      onWrite: (event, replayed) => this.metrics.wrote(event, replayed),
    });
    if (!(await this.registry.acquireUserSlot(user.userId, connection.id))) {
      throw new ApiError(
        429,
        'TOO_MANY_STREAMS',
        `at most ${this.config.sse.maxConnectionsPerUser} open streams per user`,
        { 'Retry-After': '5' },
      );
    }
    if (connection.isClosed) {
      // The client left while its slot was being taken; its close ran before there was a slot to release.
      this.registry.releaseSlot(user.userId, connection.id);
      return;
    }

    this.writeHead(req, res);
    this.registry.add(connection, query.heartbeatAsEvent);
    if (user.expiresAt !== null) {
      // An open stream lives no longer than its token; the client reconnects with a fresh one.
      expiryTimer = setTimeout(() => connection.end(), Math.max(0, user.expiresAt - Date.now()));
      expiryTimer.unref();
    }

    try {
      // A resuming stream that opens its user's channel reads its first replay page with the cursor: one round trip, not two.
      const readCursor = after === undefined ? undefined : (userId: string) => this.cursorWithPage(userId, after, filter);
      const { joinedAt, cursor } = await this.router.attach(user.userId, connection, readCursor);
      if (connection.isClosed) {
        // Closed while attaching: its close ran before it was subscribed, so unsubscribe it now.
        this.router.detach(user.userId, connection);
        return;
      }
      // Only now: stream.ready tells the client it is registered for live events. Sent
      // before attaching, an event published in reply to it (a live-only one above all,
      // which no replay can bring back) could reach the router before this connection.
      connection.writeRaw(
        `retry: ${this.config.sse.retryMs}\nevent: ${EventTypes.streamReady}\n` +
          `data: ${JSON.stringify({ connectionId: connection.id, serverTime: new Date().toISOString() })}\n\n`,
      );
      if (after !== undefined) {
        // Without the opener's cursor (the channel was open already), the page stops where live delivery starts.
        const start = cursor ?? (await this.cursorWithPage(user.userId, after, filter, joinedAt));
        await this.replay(connection, user.userId, after, joinedAt, filter, view, start);
      }
      connection.goLive(joinedAt);
      if (terminal !== null && connection.lastId >= terminal) connection.end();
    } catch (error) {
      this.logger.error(`opening a ${view.name} stream failed: ${(error as Error).message}`);
      connection.destroy();
    }
  }

  private async replay(
    connection: SseConnection,
    userId: string,
    after: number,
    upTo: number,
    filter: EventFilter,
    view: StreamView,
    { lastId, purgedThrough, page: firstPage }: StoreCursor,
  ): Promise<void> {
    let from = after;
    if (after > lastId) {
      connection.writeUnsequenced(EventTypes.streamGap, { reason: 'unknown-last-event-id', after: String(after) });
      return;
    }
    // The operation view's first request (no Last-Event-ID) replays what is retained without a gap notice.
    const explicit = !(view.operation && after === 0);
    if (explicit && purgedThrough > after) {
      connection.writeUnsequenced(EventTypes.streamGap, { reason: 'retention', after: String(after) });
    }
    connection.lastId = after;
    // Pages hold at most what a connection may buffer: a client that stops reading mid-replay keeps no more.
    const budget = this.config.sse.maxBufferedBytes;
    // The page read with the cursor covers ids up to min(lastId, upTo); the rest, if any, is read here.
    let prefetched = firstPage;
    while (!connection.isClosed && (prefetched !== undefined || from < upTo)) {
      const page = prefetched ?? (await this.store.read(userId, from, filter, REPLAY_PAGE, upTo, budget));
      const covered = prefetched !== undefined ? Math.min(lastId, upTo) : upTo;
      prefetched = undefined;
      for (const event of page) {
        if (connection.isClosed) return;
        await connection.replay(event);
      }
      // Short of both limits: everything up to `covered` has been read.
      if (page.length < REPLAY_PAGE && dataBytes(page) < budget) from = Math.max(from, covered);
      else from = page[page.length - 1].seq!;
    }
  }

  /** The store's cursor with the first replay page after `after`, cut at the bytes a connection may buffer. */
  private cursorWithPage(userId: string, after: number, filter: EventFilter, upTo?: number): Promise<StoreCursor> {
    return this.store.cursorWithPage(userId, after, filter, REPLAY_PAGE, this.config.sse.maxBufferedBytes, upTo);
  }

  private writeHead(req: Request, res: Response): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.setHeader('Connection', 'keep-alive');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    req.socket.setKeepAlive(true);
  }

  private closed(connection: SseConnection, expiryTimer: NodeJS.Timeout | undefined): void {
    if (expiryTimer) clearTimeout(expiryTimer);
    this.router.detach(connection.userId, connection);
    this.registry.remove(connection);
  }
}

/** What the store's byte budget counts: the stored data of each event. */
function dataBytes(events: StoredEvent[]): number {
  return events.reduce((n, e) => n + Buffer.byteLength(e.dataJson), 0);
}
