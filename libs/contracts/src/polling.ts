import type { EventEnvelope } from './events';

export interface PolledEvents {
  events: EventEnvelope[];
  lastEventId: string | null;
}

export interface PublishEventRequest {
  userId: string;
  type: string;
  data: Record<string, unknown>;
  operationId?: string;
  workflowId?: string;
  agentId?: string;
  persistent?: boolean;
}

export interface PublishedEvent {
  id: string | null;
}
