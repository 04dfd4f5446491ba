import { createHmac } from 'node:crypto';
import { isValidUserId } from './user-id';

export interface SignTokenOptions {
  secret: string;
  userId: string;
  scopes?: string[];
  /** Lifetime in seconds; default one hour. */
  ttlSeconds?: number;
  issuer?: string | null;
  audience?: string | null;
  /** Epoch milliseconds to sign "as of"; lets tests mint tokens that are already expired. */
  now?: number;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/** An HS256 JWT for `userId`, as the CLI, the dev-URL printer and the tests need it. */
export function signToken(options: SignTokenOptions): string {
  if (!options.secret) throw new Error('signToken needs a secret');
  if (!isValidUserId(options.userId)) {
    throw new Error('the user id must be 1–256 characters without control characters');
  }
  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  const payload: Record<string, unknown> = {
    sub: options.userId,
    iat: issuedAt,
    exp: issuedAt + (options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS),
  };
  if (options.scopes && options.scopes.length > 0) payload.scope = options.scopes.join(' ');
  if (options.issuer) payload.iss = options.issuer;
  if (options.audience) payload.aud = options.audience;

  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  const signature = createHmac('sha256', options.secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
