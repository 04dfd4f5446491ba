import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import type { ErrorBody } from '@herald/contracts';

/** The one shape of every error answer (the global exception filter writes nothing else). */
export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ type: 'integer', example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'Not Found', description: 'The HTTP reason phrase' })
  error: string;

  @ApiProperty({ example: 'operation not found' })
  message: string;

  @ApiProperty({ example: 'NOT_FOUND', description: 'Stable, machine-readable: branch on this, not on the message' })
  code: string;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 503;

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } };

export const OPERATION_NOT_FOUND = "No such operation among the caller's (another user's operation answers the same: existence is not revealed)";

/** What every authenticated route may answer. */
const COMMON: Partial<Record<ErrorStatus, string>> = {
  401: 'No token, or one that is invalid, expired or lacks `sub` (`Authorization: Bearer` or `?access_token=`)',
  429: 'More than RATE_LIMIT_PER_MINUTE requests by this user in a minute (across all API processes)',
};

/**
 * Documents a route's error answers, each with the error body; 401 and 429
 * are added for every route and may be described more precisely. 429 and 503
 * carry Retry-After.
 */
export function ApiErrors(responses: Partial<Record<ErrorStatus, string>>): MethodDecorator & ClassDecorator {
  const all = { ...COMMON, ...responses };
  return applyDecorators(
    ...Object.entries(all).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        type: ErrorBodyDto,
        ...(status === '429' || status === '503' ? { headers: RETRY_AFTER } : {}),
      }),
    ),
  );
}
