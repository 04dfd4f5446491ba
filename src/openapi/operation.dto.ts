import { Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath, PickType } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import {
  Operation,
  OPERATION_KINDS,
  OPERATION_STATUSES,
  OperationAccepted,
  OperationError,
  OperationKind,
  OperationLinks,
  OperationList,
  OperationProgressData,
  OperationResult,
  OperationStatus,
  TAG_ID_PATTERN,
} from '@herald/contracts';

export class OperationLinksDto implements OperationLinks {
  @ApiProperty({ example: '/api/operations/3f0c…' })
  self: string;

  @ApiProperty({ example: '/api/events/operations/3f0c…', description: "The operation's event stream" })
  events: string;

  @ApiProperty({ example: '/api/operations/3f0c…/cancel' })
  cancel: string;
}

export class OperationProgressDto implements OperationProgressData {
  @ApiProperty({ type: 'integer', description: 'Tokens generated so far' })
  current: number;

  @ApiProperty({ type: 'integer' })
  total: number;

  @ApiProperty({ minimum: 0, maximum: 100 })
  percentage: number;

  @ApiPropertyOptional({ description: 'Pipeline stage name' })
  stage?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  stageIndex?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  stageCount?: number;

  @ApiPropertyOptional()
  message?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Estimated time remaining, in milliseconds' })
  etaMs?: number;
}

export class StageTextDto {
  @ApiProperty()
  name: string;

  @ApiProperty()
  text: string;
}

export class OperationResultDto implements OperationResult {
  @ApiProperty({ description: 'The whole generated text (every content chunk, concatenated)' })
  text: string;

  @ApiPropertyOptional({ type: [StageTextDto], description: 'Pipelines: the text of each stage' })
  stages?: StageTextDto[];

  @ApiProperty({ type: 'integer' })
  tokens: number;

  @ApiProperty({ type: 'integer' })
  durationMs: number;
}

export class OperationErrorDto implements OperationError {
  @ApiProperty({ example: 'TIMEOUT' })
  code: string;

  @ApiProperty()
  message: string;
}

/**
 * An object or null. `nullable` beside a `$ref` (what `nullable: true` on a
 * class-typed property produces) does not admit null in OpenAPI 3.0, whose
 * `nullable` only widens a `type` in the same schema; this union does.
 */
export function objectOrNull(dto: Type<unknown>): { anyOf: (ReferenceObject | SchemaObject)[] } {
  return { anyOf: [{ $ref: getSchemaPath(dto) }, { type: 'object', nullable: true, enum: [null] }] };
}

@ApiExtraModels(OperationProgressDto, OperationResultDto, OperationErrorDto)
export class OperationDto implements Operation {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: OPERATION_KINDS })
  kind: OperationKind;

  @ApiProperty({ enum: OPERATION_STATUSES })
  status: OperationStatus;

  @ApiProperty({ type: String, nullable: true, pattern: TAG_ID_PATTERN.source })
  workflowId: string | null;

  @ApiProperty({ type: String, nullable: true, pattern: TAG_ID_PATTERN.source })
  agentId: string | null;

  @ApiProperty({ ...objectOrNull(OperationProgressDto), description: 'Null until the first progress event' })
  progress: OperationProgressDto | null;

  @ApiProperty({ ...objectOrNull(OperationResultDto), description: 'Set once completed' })
  result: OperationResultDto | null;

  @ApiProperty({ ...objectOrNull(OperationErrorDto), description: 'Set once failed' })
  error: OperationErrorDto | null;

  @ApiProperty({ type: 'integer', description: 'Runs so far: more than 1 after a worker crashed and the job was retried' })
  attempts: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: "Id of the operation's last stored event" })
  lastEventId: string | null;
}

export class OperationAcceptedDto extends PickType(OperationDto, ['id', 'kind', 'status', 'createdAt']) implements OperationAccepted {
  @ApiProperty({ type: OperationLinksDto })
  links: OperationLinksDto;
}

export class OperationListDto implements OperationList {
  @ApiProperty({ type: [OperationDto] })
  items: OperationDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  nextCursor: string | null;
}

export class CancelAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: [true] })
  cancelRequested: true;
}
