import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
  validateSync,
  ValidationError,
} from 'class-validator';
import { OperationKind, PipelineInput, TextGenerationInput } from '@herald/contracts';
import { ApiError } from '../../common/api-error';

/** What every generation request carries, alone or as a pipeline stage. */
class PromptDto {
  @ApiProperty({ minLength: 1, maxLength: 20000 })
  @IsString()
  @Length(1, 20000)
  prompt: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 4096, default: 256 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4096)
  maxTokens?: number;
}

export class TextGenerationInputDto extends PromptDto implements TextGenerationInput {
  @ApiPropertyOptional({ minLength: 1, maxLength: 128, description: 'Model name for the provider (default LLM_MODEL)' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  model?: string;
}

export class PipelineStageDto extends PromptDto {
  @ApiProperty({ minLength: 1, maxLength: 64, example: 'characters' })
  @IsString()
  @Length(1, 64)
  name: string;
}

export class PipelineInputDto implements PipelineInput {
  @ApiProperty({ type: [PipelineStageDto], minItems: 1, maxItems: 20, description: 'Run in order' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PipelineStageDto)
  stages: PipelineStageDto[];
}

const INPUT_CLASSES: Record<OperationKind, new () => object> = {
  'text-generation': TextGenerationInputDto,
  pipeline: PipelineInputDto,
};

/** Validates `input` for its kind with the same rules as the body: unknown fields are refused. */
export function parseOperationInput(kind: OperationKind, input: Record<string, unknown>): TextGenerationInput | PipelineInput {
  const instance: object = plainToInstance(INPUT_CLASSES[kind], input);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new ApiError(400, 'VALIDATION_FAILED', flatten(errors, 'input').join('; '));
  }
  return kind === 'pipeline'
    ? { stages: (instance as PipelineInputDto).stages.map((s) => ({ ...s })) }
    : { ...(instance as TextGenerationInputDto) };
}

function flatten(errors: ValidationError[], path: string): string[] {
  return errors.flatMap((e) => {
    const here = `${path}.${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((m) => `${here}: ${m}`);
    return [...own, ...flatten(e.children ?? [], here)];
  });
}
