import { ApiError } from '../common/api-error';

/**
 * Turns whatever passport-jwt / jsonwebtoken reported into a 401 a client can
 * act on. Library messages are never passed through: some echo the expected
 * issuer or audience, which is configuration, not the caller's business.
 */
export function unauthorized(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  const error = reason instanceof Error ? reason : null;
  switch (error?.name) {
    case 'TokenExpiredError':
      return new ApiError(401, 'TOKEN_EXPIRED', 'token expired');
    case 'NotBeforeError':
      return new ApiError(401, 'TOKEN_NOT_YET_VALID', 'token is not valid yet (nbf)');
    case 'JsonWebTokenError':
      return new ApiError(401, 'INVALID_TOKEN', describeInvalid(error.message));
  }
  // passport-jwt reports a request without any token this way.
  if (error?.message === 'No auth token') {
    return new ApiError(401, 'MISSING_TOKEN', 'missing token: send Authorization: Bearer <token> or ?access_token=');
  }
  return new ApiError(401, 'INVALID_TOKEN', 'invalid token');
}

export function invalidToken(message: string): ApiError {
  return new ApiError(401, 'INVALID_TOKEN', message);
}

function describeInvalid(libraryMessage: string): string {
  if (libraryMessage.startsWith('jwt issuer invalid')) return 'invalid token: issuer not accepted';
  if (libraryMessage.startsWith('jwt audience invalid')) return 'invalid token: audience not accepted';
  if (libraryMessage === 'invalid algorithm') return 'invalid token: signing algorithm not accepted';
  if (libraryMessage === 'invalid signature') return 'invalid token: bad signature';
  return 'invalid token';
}
