import { EventTypes, OperationStatus } from '@herald/contracts';
import { NewEvent } from '../events/new-event';

/** Builds the events of one operation with its user and tags filled in. */
export class OperationEvents {
  constructor(
    private readonly tags: { userId: string; operationId: string; workflowId: string | null; agentId: string | null },
  ) {}

  event(type: string, data: object): NewEvent {
    // Field by field, not a spread: this runs once per token, and the spread was a hot spot of the worker.
    const t = this.tags;
    return { userId: t.userId, operationId: t.operationId, workflowId: t.workflowId, agentId: t.agentId, type, data };
  }

  status(status: OperationStatus, previousStatus: OperationStatus | null, extra: { attempt?: number; reason?: string } = {}): NewEvent {
    return this.event(EventTypes.status, { status, previousStatus, ...extra });
  }
}
