/**
 * Event shapes shared by the server and the SDK. No framework imports here:
 * the browser bundle of the SDK pulls this file in as it is.
 */

export const OPERATION_STATUSES = ['queued', 'running', 'retrying', 'completed', 'failed', 'cancelled'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];
export const TERMINAL_STATUSES: readonly OperationStatus[] = ['completed', 'failed', 'cancelled'];
export const ACTIVE_STATUSES: readonly OperationStatus[] = ['queued', 'running', 'retrying'];

export const EventTypes = {
  status: 'operation.status',
  progress: 'operation.progress',
  content: 'operation.content',
  warning: 'operation.warning',
  completed: 'operation.completed',
  failed: 'operation.failed',
  cancelled: 'operation.cancelled',
  streamReady: 'stream.ready',
  streamGap: 'stream.gap',
  heartbeat: 'heartbeat',
} as const;

/** Events after which an operation emits nothing more. */
export const TERMINAL_EVENT_TYPES: readonly string[] = [
  EventTypes.completed,
  EventTypes.failed,
  EventTypes.cancelled,
];

/** Custom event names published through POST /api/events. */
export const CUSTOM_EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;
export const RESERVED_EVENT_NAMESPACES = ['operation.', 'stream.'];
/** Names EventSource dispatches itself; an event with one of them would be misread by browsers. */
export const FORBIDDEN_EVENT_NAMES = ['error', 'open', 'message'];

export interface OperationStatusData {
  status: OperationStatus;
  previousStatus: OperationStatus | null;
  attempt?: number;
  reason?: string;
}

export interface OperationProgressData {
  current: number;
  total: number;
  percentage: number;
  stage?: string;
  stageIndex?: number;
  stageCount?: number;
  message?: string;
  etaMs?: number;
}

export interface OperationContentData {
  index: number;
  offset: number;
  text: string;
  stage?: string;
}

export interface OperationWarningData {
  code: string;
  message: string;
}

export interface OperationResult {
  text: string;
  stages?: { name: string; text: string }[];
  tokens: number;
  durationMs: number;
}

export interface OperationCompletedData {
  result: OperationResult;
}

export interface OperationFailedData {
  code: string;
  message: string;
  retryable: boolean;
}

export interface OperationCancelledData {
  reason: string;
}

export interface StreamReadyData {
  connectionId: string;
  serverTime: string;
}

export interface StreamGapData {
  reason: 'retention' | 'unknown-last-event-id';
  after: string;
}

/** The one-line JSON written in every `data:` field of a stored event. */
export interface EventEnvelope<T = Record<string, unknown>> {
  /** Null for a live-only event (published with `persistent: false`): it has no place in the sequence and no `id:` line. */
  id: string | null;
  type: string;
  v: 1;
  ts: string;
  operationId: string | null;
  workflowId: string | null;
  agentId: string | null;
  data: T;
}
