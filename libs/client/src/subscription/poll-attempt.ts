import { Operation, PolledEvents, TERMINAL_STATUSES } from '@herald/contracts';
import { HeraldError } from '../errors';
import { AttemptContext, AttemptOutcome, failureFromResponse } from './attempt';
import { LinkedAbort } from './linked-abort';
import { pollFilter } from './views';

const PAGE = 1000;
// A long-poll answers within its wait; this margin covers a slow server, not a dead one.
const POLL_MARGIN_MS = 15_000;

/**
 * One long-poll of GET /api/events for the view: the fallback when streaming
 * does not get through. Delivers through the same cursor as the stream, so
 * switching transports neither loses nor repeats events.
 */
export async function pollOnce(ctx: AttemptContext): Promise<AttemptOutcome> {
  const request = new LinkedAbort(ctx.signal, ctx.pollWaitSeconds * 1000 + POLL_MARGIN_MS);
  try {
    // Like a stream opened without Last-Event-ID, a view other than the operation view starts with live events only.
    if (ctx.cursor.lastEventId === null && ctx.view.kind !== 'operation') {
      const head = await findHead(ctx, request.signal);
      if (typeof head !== 'string') return head;
      ctx.cursor.advanceTo(head);
    }
    const res = await ctx.http.send('/api/events', {
      query: {
        ...pollFilter(ctx.view),
        types: ctx.types?.join(','),
        after: ctx.cursor.lastEventId ?? '0',
        limit: PAGE,
        wait: ctx.pollWaitSeconds,
      },
      signal: request.signal,
    });
    if (!res.ok) return await failureFromResponse(res);
    const page = (await res.json()) as PolledEvents;
    ctx.onOpen();
    for (const event of page.events) {
      ctx.cursor.deliver(event.id, event);
      if (ctx.cursor.ended) return { kind: 'ended' };
    }
    ctx.cursor.advanceTo(page.lastEventId);
    if (page.events.length === 0 && ctx.view.kind === 'operation') return await operationOutcome(ctx, request.signal);
    return { kind: 'polled', events: page.events.length };
  } catch (error) {
    const failure = error instanceof HeraldError ? error : HeraldError.network(error);
    return { kind: 'failed', error: failure, streamingBroken: false };
  } finally {
    request.dispose();
  }
}

/** The user's newest event id, read page by page without delivering anything. */
async function findHead(ctx: AttemptContext, signal: AbortSignal): Promise<string | AttemptOutcome> {
  let after = '0';
  for (;;) {
    const res = await ctx.http.send('/api/events', {
      query: { ...pollFilter(ctx.view), after, limit: PAGE, wait: 0 },
      signal,
    });
    if (!res.ok) return failureFromResponse(res);
    const page = (await res.json()) as PolledEvents;
    after = page.lastEventId ?? after;
    if (page.events.length < PAGE) return after;
  }
}

/**
 * The poll came back empty: a stream would have answered 404 for someone
 * else's operation, or 204 once its terminal event was delivered; polling
 * learns both from the operation itself.
 */
async function operationOutcome(ctx: AttemptContext, signal: AbortSignal): Promise<AttemptOutcome> {
  const view = ctx.view as { kind: 'operation'; id: string };
  const res = await ctx.http.send(`/api/operations/${encodeURIComponent(view.id)}`, { signal });
  if (!res.ok) return failureFromResponse(res);
  const operation = (await res.json()) as Operation;
  const delivered = Number(ctx.cursor.lastEventId ?? 0);
  const finished =
    TERMINAL_STATUSES.includes(operation.status) && Number(operation.lastEventId ?? 0) <= delivered;
  return finished ? { kind: 'ended' } : { kind: 'polled', events: 0 };
}
