import {
  EventEnvelope,
  EventTypes,
  Operation,
  OperationCompletedData,
  OperationContentData,
  OperationError,
  OperationFailedData,
  OperationProgressData,
  OperationResult,
  OperationStatus,
  OperationStatusData,
} from '@herald/contracts';
import type { ConnectionState, Transport } from '../subscription/subscription-options';

/** Everything a UI shows about one operation, rebuilt from its events. Immutable: each change is a new object. */
export interface OperationSnapshot {
  operationId: string;
  /** null until the first status is known. */
  status: OperationStatus | null;
  progress: OperationProgressData | null;
  /** The generated text so far: the content chunks in index order. */
  text: string;
  /** Content chunks received (the next expected index). */
  chunks: number;
  /**
   * `stream`: `text` is exactly the chunks received. `result`: chunks were
   * missing (no longer retained) and the stored result replaced them.
   */
  textSource: 'stream' | 'result';
  /** Pipeline stage of the latest content or progress. */
  stage: string | null;
  result: OperationResult | null;
  /** Why the operation failed, or why the subscription gave up (401, 404 …). */
  error: OperationError | null;
  /** The latest events, oldest first. */
  events: EventEnvelope[];
  connection: ConnectionState;
  transport: Transport;
  /** Reconnect attempts since the connection was last open. */
  attempt: number;
  lastEventId: string | null;
  /** Some chunks are missing from `text` (until the result replaces it). */
  missingChunks: boolean;
}

export function initialSnapshot(operationId: string): OperationSnapshot {
  return {
    operationId,
    status: null,
    progress: null,
    text: '',
    chunks: 0,
    textSource: 'stream',
    stage: null,
    result: null,
    error: null,
    events: [],
    connection: 'connecting',
    transport: 'stream',
    attempt: 0,
    lastEventId: null,
    missingChunks: false,
  };
}

/** Folds one event of the operation into the snapshot. */
export function applyEvent(state: OperationSnapshot, event: EventEnvelope, maxEvents: number): OperationSnapshot {
  const events = state.events.length >= maxEvents ? state.events.slice(1 - maxEvents) : state.events.slice();
  events.push(event);
  const next: OperationSnapshot = { ...state, events, lastEventId: event.id ?? state.lastEventId };
  switch (event.type) {
    case EventTypes.status:
      next.status = (event.data as unknown as OperationStatusData).status;
      break;
    case EventTypes.progress: {
      const progress = event.data as unknown as OperationProgressData;
      next.progress = progress;
      next.stage = progress.stage ?? next.stage;
      break;
    }
    case EventTypes.content:
      appendChunk(next, event.data as unknown as OperationContentData);
      break;
    case EventTypes.completed:
      finishWith(next, 'completed', (event.data as unknown as OperationCompletedData).result);
      break;
    case EventTypes.failed: {
      const { code, message } = event.data as unknown as OperationFailedData;
      next.status = 'failed';
      next.error = { code, message };
      break;
    }
    case EventTypes.cancelled:
      next.status = 'cancelled';
      break;
  }
  return next;
}

/** Takes status, progress and result from the stored operation (after a gap, or when the stream ended without a terminal event). */
export function applyOperation(state: OperationSnapshot, operation: Operation): OperationSnapshot {
  const next: OperationSnapshot = {
    ...state,
    status: operation.status,
    progress: operation.progress ?? state.progress,
    error: operation.error ?? state.error,
  };
  if (operation.result) finishWith(next, operation.status, operation.result);
  return next;
}

function appendChunk(state: OperationSnapshot, chunk: OperationContentData): void {
  // Indexes count from 0 without gaps; a lower one was already appended.
  if (chunk.index < state.chunks) return;
  if (chunk.index > state.chunks) state.missingChunks = true;
  state.text += chunk.text;
  state.chunks = chunk.index + 1;
  state.stage = chunk.stage ?? state.stage;
}

function finishWith(state: OperationSnapshot, status: OperationStatus, result: OperationResult): void {
  state.status = status;
  state.result = result;
  // Streamed text is shown as it came; only text known to be incomplete is replaced.
  if (state.missingChunks) {
    state.text = result.text;
    state.textSource = 'result';
    state.missingChunks = false;
  }
}
