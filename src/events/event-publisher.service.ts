import { Injectable } from '@nestjs/common';
import {
  CUSTOM_EVENT_TYPE_PATTERN,
  FORBIDDEN_EVENT_NAMES,
  PublishedEvent,
  RESERVED_EVENT_NAMESPACES,
} from '@herald/contracts';
import { ApiError } from '../common/api-error';
import { SqlDatabase } from '../infra/database/sql-database';
import { PublishEventDto } from './dto/publish-event.dto';
import { EventBus } from './event-bus';
import { EventWriter } from './event-writer';
import { StoredEvent } from './stored-event';

/** The scope a token needs to publish events. */
export const PUBLISH_SCOPE = 'events:publish';

const MAX_DATA_BYTES = 64 * 1024;
const MAX_TYPE_LENGTH = 64;

/** Custom events from other services (POST /api/events), stored and delivered like operation events. */
@Injectable()
export class EventPublisherService {
  constructor(
    private readonly writer: EventWriter,
    private readonly bus: EventBus,
    private readonly db: SqlDatabase,
  ) {}

  async publish(dto: PublishEventDto): Promise<PublishedEvent> {
    validateType(dto.type);
    const dataJson = JSON.stringify(dto.data);
    if (Buffer.byteLength(dataJson) > MAX_DATA_BYTES) {
      throw new ApiError(413, 'EVENT_TOO_LARGE', 'data must be at most 64 KiB of JSON');
    }
    let { workflowId, agentId } = dto;
    if (dto.operationId) {
      // Tie the event to the operation's own tags, and never to another user's operation.
      const op = await this.db.query<{ workflow_id: string | null; agent_id: string | null }>(
        `SELECT workflow_id, agent_id FROM herald_operations WHERE id = $1 AND user_id = $2`,
        [dto.operationId, dto.userId],
      );
      if (op.length === 0) throw new ApiError(404, 'NOT_FOUND', 'operation not found for that user');
      workflowId ??= op[0].workflow_id ?? undefined;
      agentId ??= op[0].agent_id ?? undefined;
    }
    const event = {
      userId: dto.userId,
      type: dto.type,
      data: dto.data,
      operationId: dto.operationId ?? null,
      workflowId: workflowId ?? null,
      agentId: agentId ?? null,
    };
    if (dto.persistent === false) {
      await this.bus.publish([
        new StoredEvent(event.userId, null, event.type, event.operationId, event.workflowId, event.agentId, dataJson, new Date().toISOString()),
      ]);
      return { id: null };
    }
    const [stored] = await this.writer.write([event]);
    return { id: stored.id };
  }
}

function validateType(type: string): void {
  if (type.length > MAX_TYPE_LENGTH || !CUSTOM_EVENT_TYPE_PATTERN.test(type)) {
    throw new ApiError(400, 'INVALID_EVENT_TYPE', 'type must look like a.b (lowercase, dot-separated) and be at most 64 characters');
  }
  if (RESERVED_EVENT_NAMESPACES.some((ns) => type.startsWith(ns)) || FORBIDDEN_EVENT_NAMES.includes(type)) {
    throw new ApiError(400, 'RESERVED_EVENT_TYPE', 'the operation.* and stream.* namespaces are reserved');
  }
}
