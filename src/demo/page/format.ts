import type {
  EventEnvelope,
  OperationContentData,
  OperationProgressData,
  OperationSnapshot,
  OperationStatusData,
} from '@herald/client';

export function formatRemaining(progress: OperationProgressData | null, finished: boolean): string {
  if (finished) return 'finished';
  if (!progress || progress.etaMs === undefined) return 'estimating…';
  const seconds = Math.ceil(progress.etaMs / 1000);
  if (seconds <= 0) return 'almost done';
  if (seconds < 60) return `about ${seconds} s left`;
  return `about ${Math.floor(seconds / 60)} min ${seconds % 60} s left`;
}

export function formatStage(snapshot: OperationSnapshot): string {
  const p = snapshot.progress;
  const stage = p?.stage ?? snapshot.stage;
  if (stage && p?.stageIndex !== undefined && p.stageCount !== undefined) {
    return `Stage ${p.stageIndex + 1} of ${p.stageCount}: ${stage}`;
  }
  if (stage) return `Stage: ${stage}`;
  return p?.message ?? 'Writing';
}

export function formatStatus(snapshot: OperationSnapshot): string {
  switch (snapshot.status) {
    case null:
    case 'queued':
      return 'Queued…';
    case 'running':
      return 'Writing…';
    case 'retrying':
      return 'The worker stopped; continuing where it left off…';
    case 'completed':
      return 'Done.';
    case 'failed':
      return `Failed: ${snapshot.error?.message ?? 'unknown error'}`;
    case 'cancelled':
      return 'Stopped: the operation was cancelled.';
  }
}

const MAX_DETAIL = 80;

/** One line of the event log for an event. */
export function describeEvent(event: EventEnvelope): string {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'operation.status': {
      const s = data as unknown as OperationStatusData;
      return `${s.previousStatus ?? '∅'} → ${s.status}${s.reason ? ` (${s.reason})` : ''}`;
    }
    case 'operation.progress': {
      const p = data as unknown as OperationProgressData;
      return `${p.percentage} %${p.stage ? ` · ${p.stage}` : ''}${p.message ? ` · ${p.message}` : ''}`;
    }
    case 'operation.content': {
      const c = data as unknown as OperationContentData;
      return `chunk ${c.index}: ${JSON.stringify(c.text)}`;
    }
    default:
      return truncate(JSON.stringify(data));
  }
}

function truncate(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
