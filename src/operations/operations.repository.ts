import { Injectable } from '@nestjs/common';
import { OperationStatus } from '@herald/contracts';
import { SqlDatabase, SqlExecutor } from '../infra/database/sql-database';
import { OPERATION_COLUMNS, OperationRow } from './operation-row';

export interface NewOperation {
  id: string;
  userId: string;
  kind: string;
  workflowId: string | null;
  agentId: string | null;
  input: object;
  idempotencyKey: string | null;
}

export interface UnfinishedOperation {
  id: string;
  userId: string;
  status: 'queued' | 'running' | 'retrying';
  /** Since the operation was created. */
  ageMs: number;
  /** Since it first started running (since it was created while still queued). */
  runningForMs: number;
}

export interface ListFilter {
  status?: OperationStatus;
  workflowId?: string;
  agentId?: string;
  before?: { createdAt: string; id: string };
  limit: number;
}

@Injectable()
export class OperationsRepository {
  constructor(private readonly db: SqlDatabase) {}

  async findOwned(userId: string, id: string, tx: SqlExecutor = this.db): Promise<OperationRow | null> {
    const rows = await tx.query<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM herald_operations WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<OperationRow | null> {
    const rows = await this.db.query<OperationRow>(`SELECT ${OPERATION_COLUMNS} FROM herald_operations WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findByIdempotencyKey(tx: SqlExecutor, userId: string, key: string): Promise<OperationRow | null> {
    const rows = await tx.query<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM herald_operations WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, key],
    );
    return rows[0] ?? null;
  }

  async countActive(tx: SqlExecutor, userId: string): Promise<number> {
    const rows = await tx.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM herald_operations WHERE user_id = $1 AND status IN ('queued','running','retrying')`,
      [userId],
    );
    return Number(rows[0].n);
  }

  async insert(tx: SqlExecutor, op: NewOperation): Promise<OperationRow> {
    const rows = await tx.query<OperationRow>(
      `INSERT INTO herald_operations (id, user_id, kind, status, workflow_id, agent_id, input, idempotency_key, created_at)
       VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8) RETURNING ${OPERATION_COLUMNS}`,
      // Millisecond created_at, set here, so the list cursor (an ISO time) compares exactly.
      [op.id, op.userId, op.kind, op.workflowId, op.agentId, JSON.stringify(op.input), op.idempotencyKey, new Date().toISOString()],
    );
    return rows[0];
  }

  /** Marks the cancel request; false when one was already made (a repeated cancel does nothing new). */
  async markCancelRequested(id: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE herald_operations SET cancel_requested_at = now() WHERE id = $1 AND cancel_requested_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async list(userId: string, filter: ListFilter): Promise<OperationRow[]> {
    const params: unknown[] = [userId];
    let sql = `SELECT ${OPERATION_COLUMNS} FROM herald_operations WHERE user_id = $1`;
    if (filter.status) {
      params.push(filter.status);
      sql += ` AND status = $${params.length}`;
    }
    if (filter.workflowId) {
      params.push(filter.workflowId);
      sql += ` AND workflow_id = $${params.length}`;
    }
    if (filter.agentId) {
      params.push(filter.agentId);
      sql += ` AND agent_id = $${params.length}`;
    }
    if (filter.before) {
      params.push(filter.before.createdAt, filter.before.id);
      sql += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    params.push(filter.limit);
    sql += ` ORDER BY herald_operations.created_at DESC, herald_operations.id DESC LIMIT $${params.length}`;
    return this.db.query<OperationRow>(sql, params);
  }

  /**
   * One page of the unfinished operations, in id order after `afterId`, for the
   * recovery sweep. Ages are measured by the database's clock, like created_at.
   */
  async findUnfinished(afterId: string | null, limit: number): Promise<UnfinishedOperation[]> {
    return this.db.query(
      `SELECT id::text AS id, user_id AS "userId", status,
              (EXTRACT(EPOCH FROM now() - created_at) * 1000)::float8 AS "ageMs",
              (EXTRACT(EPOCH FROM now() - COALESCE(started_at, created_at)) * 1000)::float8 AS "runningForMs"
         FROM herald_operations
        WHERE status IN ('queued', 'running', 'retrying') AND ($1::uuid IS NULL OR id > $1::uuid)
        ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
  }
}
