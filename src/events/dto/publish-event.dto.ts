import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { CUSTOM_EVENT_TYPE_PATTERN, TAG_ID_PATTERN } from '@herald/contracts';

export class PublishEventDto {
  @ApiProperty({ description: 'The user whose streams receive the event', minLength: 1, maxLength: 256 })
  @IsString()
  @Length(1, 256)
  userId: string;

  @ApiProperty({
    example: 'system.save.completed',
    pattern: CUSTOM_EVENT_TYPE_PATTERN.source,
    maxLength: 64,
    description: 'a.b name, ≤ 64 chars, not operation.* or stream.*',
  })
  @IsString()
  type: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON object of at most 64 KiB' })
  @IsObject()
  data: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid', description: "One of the user's operations: the event then also reaches that operation's view" })
  @IsOptional()
  @IsUUID()
  operationId?: string;

  @ApiPropertyOptional({ pattern: TAG_ID_PATTERN.source })
  @IsOptional()
  @Matches(TAG_ID_PATTERN)
  workflowId?: string;

  @ApiPropertyOptional({ pattern: TAG_ID_PATTERN.source })
  @IsOptional()
  @Matches(TAG_ID_PATTERN)
  agentId?: string;

  @ApiPropertyOptional({ default: true, description: 'false: delivered live only, never stored, no id' })
  @IsOptional()
  @IsBoolean()
  persistent?: boolean;
}
