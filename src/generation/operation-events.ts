import { EventTypes, OperationStatus } from '@herald/contracts';
import { NewEvent } from '../events/new-event';

/** Builds the events of one operation with its user and tags filled in. */
export class OperationEvents {
  constructor(
    private readonly tags: { userId: string; operationId: string; workflowId: string | null; agentId: string | null },
  ) {}

  event(type: string, data: object): NewEvent {
    return { ...this.tags, type, data };
  }

  status(status: OperationStatus, previousStatus: OperationStatus | null, extra: { attempt?: number; reason?: string } = {}): NewEvent {
    return this.event(EventTypes.status, { status, previousStatus, ...extra });
  }
}
