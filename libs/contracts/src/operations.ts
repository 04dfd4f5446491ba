import type { OperationProgressData, OperationResult, OperationStatus } from './events';

export type OperationKind = 'text-generation' | 'pipeline';
export const OPERATION_KINDS: readonly OperationKind[] = ['text-generation', 'pipeline'];

export interface TextGenerationInput {
  prompt: string;
  maxTokens?: number;
  model?: string;
}

export interface PipelineStageInput {
  name: string;
  prompt: string;
  maxTokens?: number;
}

export interface PipelineInput {
  stages: PipelineStageInput[];
}

export interface StartOperationRequest {
  kind: OperationKind;
  input: TextGenerationInput | PipelineInput;
  workflowId?: string;
  agentId?: string;
}

export interface OperationLinks {
  self: string;
  events: string;
  cancel: string;
}

export interface OperationAccepted {
  id: string;
  kind: OperationKind;
  status: OperationStatus;
  createdAt: string;
  links: OperationLinks;
}

export interface OperationError {
  code: string;
  message: string;
}

export interface Operation {
  id: string;
  kind: OperationKind;
  status: OperationStatus;
  workflowId: string | null;
  agentId: string | null;
  progress: OperationProgressData | null;
  result: OperationResult | null;
  error: OperationError | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lastEventId: string | null;
}

export interface OperationList {
  items: Operation[];
  nextCursor: string | null;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: string;
}

/** workflowId / agentId: 1–128 characters of this set. */
export const TAG_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
