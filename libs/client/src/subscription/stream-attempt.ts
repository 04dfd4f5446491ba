import { EventEnvelope, EventTypes, StreamGapData, StreamReadyData } from '@herald/contracts';
import { HeraldError } from '../errors';
import { SseEvent, SseParser } from '../sse/sse-parser';
import { AttemptContext, AttemptOutcome, failureFromResponse } from './attempt';
import { LinkedAbort } from './linked-abort';
import { streamPath } from './views';

/**
 * One fetch-streaming connection to a view, read until it ends. The token
 * goes in the Authorization header (fetch can send one; EventSource cannot).
 */
export async function streamOnce(ctx: AttemptContext): Promise<AttemptOutcome> {
  const request = new LinkedAbort(ctx.signal, ctx.idleTimeoutMs);
  let opened = false;
  try {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    const lastEventId = ctx.cursor.lastEventId;
    if (lastEventId !== null) headers['Last-Event-ID'] = lastEventId;
    const res = await ctx.http.send(streamPath(ctx.view), {
      query: { types: ctx.types?.join(',') },
      headers,
      signal: request.signal,
    });
    if (res.status === 204) return { kind: 'ended' };
    if (!res.ok) return await failureFromResponse(res);
    const contentType = res.headers.get('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('text/event-stream') || !res.body) {
      const error = new HeraldError(res.status, 'NOT_AN_EVENT_STREAM', `expected text/event-stream, got "${contentType}"`);
      return { kind: 'failed', error, streamingBroken: true };
    }

    const parser = new SseParser({
      onEvent: (event) => {
        if (!opened) {
          opened = true;
          ctx.onOpen();
        }
        dispatch(ctx, event);
      },
      onRetry: (ms) => ctx.onRetry(ms),
    });
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      request.touch();
      parser.push(value);
      // The server ends the operation view after the terminal event anyway; not waiting for it saves a round trip.
      if (ctx.cursor.ended) return { kind: 'ended' };
    }
    parser.end();
    if (opened) return { kind: 'dropped' };
    return {
      kind: 'failed',
      error: new HeraldError(res.status, 'STREAM_ENDED', 'the stream ended before its first event'),
      streamingBroken: true,
    };
  } catch (error) {
    if (opened) return { kind: 'dropped' };
    if (request.timedOut) {
      const idle = new HeraldError(null, 'STREAM_IDLE', `no event within ${ctx.idleTimeoutMs} ms`);
      return { kind: 'failed', error: idle, streamingBroken: true };
    }
    return { kind: 'failed', error: error instanceof HeraldError ? error : HeraldError.network(error), streamingBroken: false };
  } finally {
    request.dispose();
  }
}

function dispatch(ctx: AttemptContext, event: SseEvent): void {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    ctx.onWarning(new HeraldError(null, 'MALFORMED_EVENT', `${event.type} event whose data is not JSON`));
    return;
  }
  switch (event.type) {
    case EventTypes.streamReady:
      return ctx.onReady(data as StreamReadyData);
    case EventTypes.streamGap: {
      const gap = data as StreamGapData;
      // The server did not know our Last-Event-ID (its history was reset): the
      // ids that follow may be lower, and must not be mistaken for duplicates.
      if (gap.reason === 'unknown-last-event-id') ctx.cursor.forget();
      return ctx.onGap(gap);
    }
    case EventTypes.heartbeat:
      // Its only job, keeping the idle timer from firing, is done by its bytes arriving.
      return;
    default:
      ctx.cursor.deliver(event.id, data as EventEnvelope);
  }
}
