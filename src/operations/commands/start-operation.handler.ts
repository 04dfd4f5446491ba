import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { EventTypes, OperationAccepted } from '@herald/contracts';
import { HERALD_CONFIG } from '../../config/config.module';
import { HeraldConfig } from '../../config/herald-config';
import { ApiError } from '../../common/api-error';
import { EventBus } from '../../events/event-bus';
import { EventStore } from '../../events/event-store';
import { StoredEvent } from '../../events/stored-event';
import { SqlDatabase } from '../../infra/database/sql-database';
import { JobQueue } from '../../queue/job-queue';
import { parseOperationInput } from '../dto/operation-input';
import { toAccepted } from '../operation-links';
import { OperationRow } from '../operation-row';
import { OperationsRepository } from '../operations.repository';
import { StartOperationCommand } from './start-operation.command';

/**
 * Stores the operation and its `queued` event in one transaction, then
 * enqueues the job (job id = operation id). The user's counter row is locked
 * first, which also makes the idempotency check and the active-operation limit
 * exact across API processes.
 */
@CommandHandler(StartOperationCommand)
export class StartOperationHandler implements ICommandHandler<StartOperationCommand, OperationAccepted> {
  private readonly logger = new Logger(StartOperationHandler.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly operations: OperationsRepository,
    private readonly bus: EventBus,
    private readonly queue: JobQueue,
  ) {}

  async execute({ userId, body, idempotencyKey }: StartOperationCommand): Promise<OperationAccepted> {
    const input = parseOperationInput(body.kind, body.input);
    const { row, events, created } = await this.db.transaction(async (tx) => {
      await this.store.lockUsers(tx, [userId]);
      if (idempotencyKey) {
        const existing = await this.operations.findByIdempotencyKey(tx, userId, idempotencyKey);
        if (existing) return { row: existing, events: [] as StoredEvent[], created: false };
      }
      const active = await this.operations.countActive(tx, userId);
      if (active >= this.config.limits.maxActiveOperationsPerUser) {
        throw new ApiError(
          429,
          'TOO_MANY_OPERATIONS',
          `at most ${this.config.limits.maxActiveOperationsPerUser} active operations per user`,
          { 'Retry-After': '5' },
        );
      }
      const inserted: OperationRow = await this.operations.insert(tx, {
        id: randomUUID(),
        userId,
        kind: body.kind,
        workflowId: body.workflowId ?? null,
        agentId: body.agentId ?? null,
        input,
        idempotencyKey,
      });
      const stored = await this.store.appendInTransaction(tx, [
        {
          userId,
          type: EventTypes.status,
          operationId: inserted.id,
          workflowId: inserted.workflow_id,
          agentId: inserted.agent_id,
          data: { status: 'queued', previousStatus: null },
        },
      ]);
      return { row: inserted, events: stored.filter((e): e is StoredEvent => e !== null), created: true };
    });
    if (created) {
      await this.bus.publish(events).catch((e: Error) => this.logger.warn(`publish failed: ${e.message}`));
      // If this fails the operation stays queued and the worker's recovery sweep enqueues it.
      await this.queue
        .enqueue({ operationId: row.id, userId })
        .catch((e: Error) => this.logger.error(`enqueue of ${row.id} failed: ${e.message}`));
    }
    return toAccepted(row);
  }
}
