import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { HeraldClient } from '../herald-client';
import { initialSnapshot, OperationSnapshot } from '../operation/operation-snapshot';
import { OperationStream, OperationStreamOptions } from '../operation/operation-stream';

export interface OperationStreamResult extends OperationSnapshot {
  /** Requests cancellation; the cancelled status then arrives on the stream. */
  cancel(): Promise<void>;
}

const IDLE = { ...initialSnapshot(''), connection: 'closed' } satisfies OperationSnapshot;
const noSubscription = () => () => undefined;

/**
 * Follows one operation live: status, progress, text so far, events,
 * connection state and error, re-rendering as events arrive. Reconnects and
 * resumes on its own; unsubscribes on unmount or when the id changes. A null
 * id renders the idle state (nothing started yet).
 */
export function useOperationStream(
  client: HeraldClient,
  operationId: string | null | undefined,
  options?: OperationStreamOptions,
): OperationStreamResult {
  // Options are read when the stream is created; changing them alone does not resubscribe.
  const stream = useMemo(
    () => (operationId ? new OperationStream(client, operationId, options) : null),
    [client, operationId],
  );

  useEffect(() => {
    if (!stream) return;
    stream.start();
    return () => stream.stop();
  }, [stream]);

  const snapshot = useSyncExternalStore(
    stream ? stream.subscribe : noSubscription,
    stream ? stream.getSnapshot : () => IDLE,
    () => IDLE,
  );
  const cancel = useCallback(() => (stream ? stream.cancel() : Promise.resolve()), [stream]);
  return useMemo(() => ({ ...snapshot, cancel }), [snapshot, cancel]);
}
