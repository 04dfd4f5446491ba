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
  @IsString()
  @Length(1, 20000)
  prompt: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4096)
  maxTokens?: number;
}

export class TextGenerationInputDto extends PromptDto implements TextGenerationInput {
  @IsOptional()
  @IsString()
  @Length(1, 128)
  model?: string;
}

export class PipelineStageDto extends PromptDto {
  @IsString()
  @Length(1, 64)
  name: string;
}

export class PipelineInputDto implements PipelineInput {
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
