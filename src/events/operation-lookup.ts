import { Injectable } from '@nestjs/common';
import { SqlDatabase } from '../infra/database/sql-database';

export interface OperationStreamInfo {
  id: string;
  terminalEventId: number | null;
}

/** What the operation view needs of an operation: that it is the caller's, and where it ended. */
@Injectable()
export class OperationLookup {
  constructor(private readonly db: SqlDatabase) {}

  async findOwned(userId: string, operationId: string): Promise<OperationStreamInfo | null> {
    const rows = await this.db.query<{ id: string; terminal_event_id: string | null }>(
      `SELECT id::text AS id, terminal_event_id::text AS terminal_event_id
         FROM herald_operations WHERE id = $1 AND user_id = $2`,
      [operationId, userId],
    );
    if (rows.length === 0) return null;
    return { id: rows[0].id, terminalEventId: rows[0].terminal_event_id === null ? null : Number(rows[0].terminal_event_id) };
  }
}
