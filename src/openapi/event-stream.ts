import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { CUSTOM_EVENT_TYPE_PATTERN, EventTypes } from '@herald/contracts';
import { ApiErrors, ErrorStatus } from './api-errors';
import { EVENT_ID_PATTERN, EventEnvelopeDto, HeartbeatDataDto, OPERATION_EVENT_TYPES, StreamGapDataDto, StreamReadyDataDto } from './event.dto';

// OpenAPI 3.0 has no type for an event stream: the text/event-stream body is
// described as the sequence of SSE frames it carries, one schema per kind of
// frame, with the envelope as the `data:` of every stored event.

export class StreamReadyFrameDto {
  @ApiProperty({ type: 'integer', description: '`retry:` reconnection delay in ms (SSE_RETRY_MS), sent with this first frame' })
  retry: number;

  @ApiProperty({ enum: [EventTypes.streamReady] })
  event: string;

  @ApiProperty({ type: StreamReadyDataDto })
  data: StreamReadyDataDto;
}

export class OperationEventFrameDto {
  @ApiProperty({ pattern: EVENT_ID_PATTERN, description: 'Equals data.id; what EventSource sends back as Last-Event-ID' })
  id: string;

  @ApiProperty({ enum: OPERATION_EVENT_TYPES })
  event: string;

  @ApiProperty({ type: EventEnvelopeDto })
  data: EventEnvelopeDto;
}

/** A custom name: the a.b pattern outside the reserved operation.* and stream.* namespaces. */
const CUSTOM_EVENT_NAME = `^(?!operation\\.|stream\\.)${CUSTOM_EVENT_TYPE_PATTERN.source.slice(1)}`;

export class CustomEventFrameDto {
  @ApiPropertyOptional({ pattern: EVENT_ID_PATTERN, description: 'Absent for events published with persistent: false' })
  id?: string;

  @ApiProperty({ pattern: CUSTOM_EVENT_NAME, example: 'system.save.completed', description: 'Published through POST /api/events' })
  event: string;

  @ApiProperty({ type: EventEnvelopeDto })
  data: EventEnvelopeDto;
}

export class StreamGapFrameDto {
  @ApiProperty({ enum: [EventTypes.streamGap] })
  event: string;

  @ApiProperty({ type: StreamGapDataDto })
  data: StreamGapDataDto;
}

export class HeartbeatFrameDto {
  @ApiProperty({ enum: [EventTypes.heartbeat] })
  event: string;

  @ApiProperty({ type: HeartbeatDataDto })
  data: HeartbeatDataDto;
}

const FRAMES = [StreamReadyFrameDto, OperationEventFrameDto, CustomEventFrameDto, StreamGapFrameDto, HeartbeatFrameDto];

const STREAM_DESCRIPTION =
  'Server-Sent Events. First `retry:` with `stream.ready` (no `id:`); `stream.gap` (no `id:`) before a replay ' +
  'when events the client would have received are no longer stored or its Last-Event-ID is unknown; then every ' +
  'event of the view as `id:`, `event:` and a one-line JSON `data:` (the EventEnvelope), replayed after ' +
  'Last-Event-ID in ascending order and then live, each exactly once. Every SSE_HEARTBEAT_MS a `: keep-alive` ' +
  'comment, or a `heartbeat` event with `heartbeat=event`. No event is named error, open or message.';

export interface EventStreamOptions {
  /** The operation view: it ends after the terminal event and answers 204 to a resume past it. */
  endsAfterTerminal?: boolean;
  /** Error answers beyond those of every view (400, 401, 429, 503). */
  errors?: Partial<Record<ErrorStatus, string>>;
}

/** Documents an SSE view: its resume and filter parameters, the event stream, and its refusals. */
export function ApiEventStream(options: EventStreamOptions = {}): MethodDecorator {
  const decorators = [
    ApiExtraModels(...FRAMES),
    ApiHeader({
      name: 'Last-Event-ID',
      required: false,
      description: 'Resume after this event id (`0`: everything retained); wins over `lastEventId`',
      schema: { type: 'string', pattern: EVENT_ID_PATTERN },
    }),
    ApiQuery({
      name: 'lastEventId',
      required: false,
      description: 'Same as Last-Event-ID, for clients that cannot send headers',
      schema: { type: 'string', pattern: EVENT_ID_PATTERN },
    }),
    ApiQuery({
      name: 'types',
      required: false,
      description: 'Comma-separated event types to receive, e.g. `operation.progress,operation.completed`',
      schema: { type: 'string' },
    }),
    ApiQuery({
      name: 'heartbeat',
      required: false,
      description: '`event`: keep-alives as `heartbeat` events (visible to browser code) instead of comments',
      schema: { type: 'string', enum: ['comment', 'event'], default: 'comment' },
    }),
    ApiResponse({
      status: 200,
      description: STREAM_DESCRIPTION,
      headers: {
        'Cache-Control': { schema: { type: 'string', example: 'no-cache, no-transform' } },
        'X-Accel-Buffering': { description: 'Tells nginx not to buffer', schema: { type: 'string', example: 'no' } },
      },
      content: {
        'text/event-stream': {
          schema: {
            type: 'array',
            description: 'The frames of the stream, in order',
            items: { oneOf: FRAMES.map((frame) => ({ $ref: getSchemaPath(frame) })) },
          },
        },
      },
    }),
    ApiErrors({
      400: 'Malformed Last-Event-ID or lastEventId, unknown event type in `types`, unknown query parameter',
      429: 'SSE_MAX_CONNECTIONS_PER_USER streams already open for this user (across all API processes), or the REST rate limit',
      503: 'This process holds SSE_MAX_CONNECTIONS streams; another process may have room',
      ...options.errors,
    }),
  ];
  if (options.endsAfterTerminal) {
    decorators.push(
      ApiResponse({
        status: 204,
        description: "Last-Event-ID is at or past the operation's terminal event: nothing more will come (EventSource stops reconnecting)",
      }),
    );
  }
  return applyDecorators(...decorators);
}
