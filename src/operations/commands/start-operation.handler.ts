import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { EventTypes, OperationAccepted } from '@herald/contracts';
import { HERALD_CONFIG } from '../../config/config.module';
import { HeraldConfig } from '../../config/herald-config';
import { ApiError } from '../../common/api-error';
import { EventBus } from '../../events/event-bus';
import { EventStore } from '../../events/event-store';
import { NewEvent } from '../../events/new-event';
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
 * enqueues the job (job id = operation id). Six statements: BEGIN, the event's
 * id (locking the user's counter), the active count, the two inserts, COMMIT
 * (plus the idempotency lookup when a key is given). Starts come in bursts
 * (a page of users at once), so every statement saved is database time the
 * running operations' chunks do not wait behind.
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
    const id = randomUUID();
    const workflowId = body.workflowId ?? null;
    const agentId = body.agentId ?? null;
    const queued: NewEvent = {
      userId,
      type: EventTypes.status,
      operationId: id,
      workflowId,
      agentId,
      data: { status: 'queued', previousStatus: null },
    };
    let row: OperationRow;
    let events: StoredEvent[];
    try {
      ({ row, events } = await this.db.transaction(async (tx) => {
        // The queued event's id, reserved first: it locks the user's counter row,
        // which makes the idempotency check and the active-operation limit exact
        // across API processes. Anything thrown below rolls the reservation back.
        const nextIds = await this.store.reserveIds(tx, [queued]);
        if (idempotencyKey) {
          const existing = await this.operations.findByIdempotencyKey(tx, userId, idempotencyKey);
          if (existing) throw new AlreadyStarted(existing);
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
        // The row is born queued, as the event says: the event needs no operation rule,
        // and the row's lastEventId is derived from the events (OPERATION_COLUMNS).
        const inserted = await this.operations.insert(tx, { id, userId, kind: body.kind, workflowId, agentId, input, idempotencyKey });
        return { row: inserted, events: await this.store.insertReserved(tx, [queued], nextIds) };
      }));
    } catch (error) {
      if (error instanceof AlreadyStarted) return toAccepted(error.row);
      throw error;
    }
    await this.bus.publish(events).catch((e: Error) => this.logger.warn(`publish failed: ${e.message}`));
    // If this fails the operation stays queued and the worker's recovery sweep enqueues it.
    await this.queue
      .enqueue({ operationId: row.id, userId })
      .catch((e: Error) => this.logger.error(`enqueue of ${row.id} failed: ${e.message}`));
    return toAccepted(row);
  }
}

/** A repeated request with an idempotency key: leaves the transaction, giving its reserved id back. */
class AlreadyStarted extends Error {
  constructor(readonly row: OperationRow) {
    super('operation already started with this idempotency key');
  }
}
