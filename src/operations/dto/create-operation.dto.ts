import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, Matches } from 'class-validator';
import { OPERATION_KINDS, OperationKind, TAG_ID_PATTERN } from '@herald/contracts';
import { PipelineInputDto, TextGenerationInputDto } from './operation-input';

/**
 * The envelope of POST /api/operations. `input` depends on `kind`, so it is
 * validated by its own class once the kind is known (see operation-input.ts).
 */
@ApiExtraModels(TextGenerationInputDto, PipelineInputDto)
export class CreateOperationDto {
  @ApiProperty({ enum: OPERATION_KINDS })
  @IsIn(OPERATION_KINDS as OperationKind[], { message: `kind must be one of ${OPERATION_KINDS.join(', ')}` })
  kind: OperationKind;

  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(TextGenerationInputDto) }, { $ref: getSchemaPath(PipelineInputDto) }],
    description: 'TextGenerationInputDto for kind text-generation, PipelineInputDto for kind pipeline',
  })
  @IsObject()
  input: Record<string, unknown>;

  @ApiPropertyOptional({ pattern: TAG_ID_PATTERN.source })
  @IsOptional()
  @Matches(TAG_ID_PATTERN, { message: 'workflowId must be 1–128 characters of A-Z a-z 0-9 _ . : -' })
  workflowId?: string;

  @ApiPropertyOptional({ pattern: TAG_ID_PATTERN.source })
  @IsOptional()
  @Matches(TAG_ID_PATTERN, { message: 'agentId must be 1–128 characters of A-Z a-z 0-9 _ . : -' })
  agentId?: string;
}
