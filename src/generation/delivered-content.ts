import { Injectable } from '@nestjs/common';
import { EventTypes, OperationContentData } from '@herald/contracts';
import { SqlDatabase } from '../infra/database/sql-database';

export interface DeliveredContent {
  /** Index the next chunk gets. */
  nextIndex: number;
  /** Characters delivered so far (the next chunk's offset). */
  offset: number;
  /** Text delivered per stage name ('' for a single-stage generation). */
  byStage: Map<string, string>;
  /** Chunks delivered per stage name: the tokens a continuation no longer has to generate. */
  tokensByStage: Map<string, number>;
  tokens: number;
}

/**
 * What an earlier attempt already delivered, read back from the stored content
 * events: a retried job continues from here, so chunk indexes stay dense and
 * the concatenated chunks still equal the result.
 */
@Injectable()
export class DeliveredContentReader {
  constructor(private readonly db: SqlDatabase) {}

  async read(operationId: string): Promise<DeliveredContent> {
    const rows = await this.db.query<{ data: string }>(
      `SELECT data FROM herald_events WHERE operation_id = $1 AND type = $2 ORDER BY id`,
      [operationId, EventTypes.content],
    );
    const byStage = new Map<string, string>();
    const tokensByStage = new Map<string, number>();
    let offset = 0;
    for (const row of rows) {
      const chunk = JSON.parse(row.data) as OperationContentData;
      const stage = chunk.stage ?? '';
      byStage.set(stage, (byStage.get(stage) ?? '') + chunk.text);
      tokensByStage.set(stage, (tokensByStage.get(stage) ?? 0) + 1);
      offset += chunk.text.length;
    }
    return { nextIndex: rows.length, offset, byStage, tokensByStage, tokens: rows.length };
  }
}
