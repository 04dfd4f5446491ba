import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventTypes, OperationStatus, TERMINAL_STATUSES } from '@herald/contracts';
import { ApiError } from '../../common/api-error';
import { EventWriter } from '../../events/event-writer';
import { JobQueue } from '../../queue/job-queue';
import { OperationsRepository } from '../operations.repository';
import { CancelOperationCommand } from './cancel-operation.command';

const CANCEL_REASON = 'cancelled by user';
/** A worker that took the job a moment ago may not hold its AbortController yet: ask once more. */
const SECOND_ASK_MS = 400;

/**
 * A waiting job is removed from the queue and the operation ends here; a
 * running one is aborted on whichever worker holds it, which then writes
 * `operation.cancelled`. The cancel request is also stored, so a job that is
 * (re)started later ends at once instead of running.
 */
@CommandHandler(CancelOperationCommand)
export class CancelOperationHandler implements ICommandHandler<CancelOperationCommand, void> {
  constructor(
    private readonly operations: OperationsRepository,
    private readonly queue: JobQueue,
    private readonly writer: EventWriter,
  ) {}

  async execute({ userId, operationId }: CancelOperationCommand): Promise<void> {
    const op = await this.operations.findOwned(userId, operationId);
    if (!op) throw new ApiError(404, 'NOT_FOUND', 'operation not found');
    const status = op.status as OperationStatus;
    if (status === 'cancelled') return;
    if (TERMINAL_STATUSES.includes(status)) {
      throw new ApiError(409, 'OPERATION_FINISHED', `operation already ${status}`);
    }
    if (!(await this.operations.markCancelRequested(operationId))) return;

    if (await this.queue.removeIfWaiting(operationId)) {
      const tags = { userId, operationId, workflowId: op.workflow_id, agentId: op.agent_id };
      await this.writer.write([
        { ...tags, type: EventTypes.status, data: { status: 'cancelled', previousStatus: status, reason: CANCEL_REASON } },
        { ...tags, type: EventTypes.cancelled, data: { reason: CANCEL_REASON } },
      ]);
      return;
    }
    await this.queue.requestCancel(operationId, CANCEL_REASON);
    setTimeout(() => void this.queue.requestCancel(operationId, CANCEL_REASON).catch(() => undefined), SECOND_ASK_MS).unref();
  }
}
