import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError } from './api-error';

/** The global pipe: unknown fields are refused, and the 400 names every bad property by its full path. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ApiError(400, 'VALIDATION_FAILED', describeValidationErrors(errors)),
  });
}

/** `input.stages.0.name: name must be a string; property extra should not exist` */
export function describeValidationErrors(errors: ValidationError[]): string {
  return collect(errors, '').join('; ') || 'invalid request';
}

function collect(errors: ValidationError[], parentPath: string): string[] {
  return errors.flatMap((error) => {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => (parentPath ? `${path}: ${message}` : message));
    return [...own, ...collect(error.children ?? [], path)];
  });
}
