import { createHmac } from 'node:crypto';

// Self-contained on purpose: tests must not trust the code under test to mint
// the tokens that code is supposed to verify.

export interface TokenOptions {
  /** Written as the space-separated `scope` claim (OAuth 2.0 convention). */
  scopes?: string[];
  /** Lifetime from now; negative values make an already expired token. Default 3600. */
  ttlSeconds?: number;
  iss?: string;
  aud?: string;
  /** Extra or overriding claims; a claim set to `undefined` is removed (e.g. `{ sub: undefined }`). */
  claims?: Record<string, unknown>;
}

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

function buildClaims(userId: string, opts: TokenOptions): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    sub: userId,
    iat: now,
    exp: now + (opts.ttlSeconds ?? 3600),
  };
  if (opts.scopes && opts.scopes.length > 0) claims.scope = opts.scopes.join(' ');
  if (opts.iss !== undefined) claims.iss = opts.iss;
  if (opts.aud !== undefined) claims.aud = opts.aud;
  for (const [key, value] of Object.entries(opts.claims ?? {})) {
    if (value === undefined) delete claims[key];
    else claims[key] = value;
  }
  return claims;
}

/** An HS256 JWT for `userId` signed with `secret`. */
export function makeToken(secret: string, userId: string, opts: TokenOptions = {}): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(buildClaims(userId, opts)));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** An unsigned `alg: none` token, which the server must reject. */
export function makeAlgNoneToken(userId: string, opts: TokenOptions = {}): string {
  const header = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(buildClaims(userId, opts)));
  return `${header}.${payload}.`;
}
