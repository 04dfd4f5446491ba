import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import {
  EventEnvelope,
  EventTypes,
  OPERATION_STATUSES,
  OperationCancelledData,
  OperationCompletedData,
  OperationContentData,
  OperationFailedData,
  OperationStatus,
  OperationStatusData,
  OperationWarningData,
  PolledEvents,
  PublishedEvent,
  StreamGapData,
  StreamReadyData,
} from '@herald/contracts';
import { OperationProgressDto, OperationResultDto } from './operation.dto';

/** A decimal event id, as written in `id:` and the envelope. */
export const EVENT_ID_PATTERN = '^(0|[1-9][0-9]{0,14})$';

export class OperationStatusDataDto implements OperationStatusData {
  @ApiProperty({ enum: OPERATION_STATUSES })
  status: OperationStatus;

  @ApiProperty({ enum: [...OPERATION_STATUSES, null], nullable: true, description: 'Null for the first status (queued)' })
  previousStatus: OperationStatus | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  attempt?: number;

  @ApiPropertyOptional()
  reason?: string;
}

export class OperationContentDataDto implements OperationContentData {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Chunk number within the operation, from 0, with no gaps or repeats (also across worker crashes)' })
  index: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Character offset of `text` in the result' })
  offset: number;

  @ApiProperty()
  text: string;

  @ApiPropertyOptional({ description: 'Pipeline stage name' })
  stage?: string;
}

export class OperationWarningDataDto implements OperationWarningData {
  @ApiProperty()
  code: string;

  @ApiProperty()
  message: string;
}

export class OperationCompletedDataDto implements OperationCompletedData {
  @ApiProperty({ type: OperationResultDto })
  result: OperationResultDto;
}

export class OperationFailedDataDto implements OperationFailedData {
  @ApiProperty({ example: 'TIMEOUT' })
  code: string;

  @ApiProperty()
  message: string;

  @ApiProperty()
  retryable: boolean;
}

export class OperationCancelledDataDto implements OperationCancelledData {
  @ApiProperty()
  reason: string;
}

export class StreamReadyDataDto implements StreamReadyData {
  @ApiProperty()
  connectionId: string;

  @ApiProperty({ format: 'date-time' })
  serverTime: string;
}

export class StreamGapDataDto implements StreamGapData {
  @ApiProperty({ enum: ['retention', 'unknown-last-event-id'] })
  reason: 'retention' | 'unknown-last-event-id';

  @ApiProperty({ pattern: EVENT_ID_PATTERN, description: 'The Last-Event-ID the replay starts after' })
  after: string;
}

export class HeartbeatDataDto {
  @ApiProperty({ format: 'date-time' })
  serverTime: string;
}

const DATA_BY_TYPE = {
  [EventTypes.status]: OperationStatusDataDto,
  [EventTypes.progress]: OperationProgressDto,
  [EventTypes.content]: OperationContentDataDto,
  [EventTypes.warning]: OperationWarningDataDto,
  [EventTypes.completed]: OperationCompletedDataDto,
  [EventTypes.failed]: OperationFailedDataDto,
  [EventTypes.cancelled]: OperationCancelledDataDto,
};

/** The stored event types, in the order SPEC §3 lists them. */
export const OPERATION_EVENT_TYPES = Object.keys(DATA_BY_TYPE);

/** The one-line JSON of every stored event's `data:` field, and of each item GET /api/events returns. */
@ApiExtraModels(...Object.values(DATA_BY_TYPE))
export class EventEnvelopeDto implements Omit<EventEnvelope, 'id'> {
  @ApiProperty({
    type: String,
    nullable: true,
    pattern: EVENT_ID_PATTERN,
    example: '42',
    description: "Strictly increasing within the user's events; null only for a custom event published with persistent: false",
  })
  id: string | null;

  @ApiProperty({ example: 'operation.progress', description: `${OPERATION_EVENT_TYPES.join(', ')}, or a custom a.b name` })
  type: string;

  @ApiProperty({ type: 'integer', enum: [1], description: 'Envelope version' })
  v: 1;

  @ApiProperty({ format: 'date-time', description: 'When the event was stored' })
  ts: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  operationId: string | null;

  @ApiProperty({ type: String, nullable: true })
  workflowId: string | null;

  @ApiProperty({ type: String, nullable: true })
  agentId: string | null;

  @ApiProperty({
    description:
      'Depends on `type`: ' +
      Object.entries(DATA_BY_TYPE)
        .map(([type, dto]) => `${type} → ${dto.name}`)
        .join(', ') +
      '; a custom event carries the object it was published with',
    anyOf: [
      ...Object.values(DATA_BY_TYPE).map((dto) => ({ $ref: getSchemaPath(dto) })),
      { type: 'object', additionalProperties: true },
    ],
  })
  data: Record<string, unknown>;
}

export class PolledEventsDto implements Omit<PolledEvents, 'events'> {
  @ApiProperty({ type: [EventEnvelopeDto], description: 'Oldest first' })
  events: EventEnvelopeDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` to continue' })
  lastEventId: string | null;
}

export class PublishedEventDto implements PublishedEvent {
  @ApiProperty({ type: String, nullable: true, description: 'The stored event id; null when published with persistent: false' })
  id: string | null;
}
