import { createPublicKey, createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ExtractJwt, JwtFromRequestFunction, Strategy, VerifiedCallback } from 'passport-jwt';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { AuthenticatedUser } from './authenticated-user';
import { invalidToken, unauthorized } from './token-error';
import { isValidUserId } from './user-id';
import { VerifiedTokenCache } from './verified-token-cache';

export interface JwtPayload {
  sub?: unknown;
  scope?: unknown;
  exp?: unknown;
}

// Fixed per key kind so a token cannot choose how it is checked: with a public
// key, an HS256 token "signed" with that public PEM must not verify, and
// `alg: none` is never accepted.
const SECRET_ALGORITHMS = ['HS256' as const];
const PUBLIC_KEY_ALGORITHMS = ['RS256' as const, 'ES256' as const];

/** EventSource cannot send headers, so browsers pass the token as `?access_token=`. */
const fromAccessTokenQuery: JwtFromRequestFunction = (request: Request) => {
  const url = request.originalUrl ?? request.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? null : new URLSearchParams(url.slice(query + 1)).get('access_token');
};

const extractToken = ExtractJwt.fromExtractors([ExtractJwt.fromAuthHeaderAsBearerToken(), fromAccessTokenQuery]);

/**
 * passport-jwt's strategy, run without passport's middleware. `@nestjs/passport`
 * builds a new passport middleware, a promise and their closures for every
 * request and adds passport's helpers (login, logout, …) to the request: about
 * 15 KB allocated per request, a good part of what a stream handshake left
 * behind in the old generation (npm run bench, idle). Here the strategy's own
 * `authenticate` runs on a per-request object carrying the three callbacks
 * passport would add, and decides before it returns: the key is static and
 * jsonwebtoken verifies synchronously.
 */
@Injectable()
export class JwtStrategy extends Strategy {
  private readonly verified = new VerifiedTokenCache();

  constructor(@Inject(HERALD_CONFIG) config: HeraldConfig) {
    const { secret, publicKey, issuer, audience } = config.jwt;
    const key = secret ?? publicKey;
    if (!key) {
      throw new Error('no JWT key configured: set JWT_SECRET or JWT_PUBLIC_KEY (embedded mode: call resolveDevSecret first)');
    }
    // A KeyObject, not the string: given a string, jsonwebtoken first tries it as a
    // PEM public key on every verify and builds the secret key from the failure,
    // which made JWT checks a fifth of the API's CPU while streams were opening.
    const keyObject = secret ? createSecretKey(Buffer.from(secret)) : createPublicKey(key);
    super(
      {
        jwtFromRequest: extractToken,
        // passport-jwt hands the key to jsonwebtoken untouched; its types predate KeyObject.
        secretOrKey: keyObject as unknown as Buffer,
        algorithms: secret ? SECRET_ALGORITHMS : PUBLIC_KEY_ALGORITHMS,
        issuer: issuer ?? undefined,
        audience: audience ?? undefined,
        ignoreExpiration: false,
      },
      verifyPayload,
    );
  }

  /** The caller the request's token names; throws the 401 to answer otherwise. */
  authenticateRequest(request: Request): AuthenticatedUser {
    const token = extractToken(request);
    const known = token ? this.verified.get(token) : undefined;
    if (known) return known;
    const user = this.verify(request);
    return token ? this.verified.remember(token, user) : user;
  }

  private verify(request: Request): AuthenticatedUser {
    let user: AuthenticatedUser | undefined;
    let refusal: unknown;
    let answered = false;
    const attempt = Object.create(this) as Strategy;
    attempt.success = (verified: AuthenticatedUser) => {
      answered = true;
      user = verified;
    };
    attempt.fail = attempt.error = (reason: unknown) => {
      answered = true;
      refusal = reason;
    };
    attempt.authenticate(request);
    if (!answered) throw new Error('passport-jwt did not decide synchronously');
    if (!user) throw unauthorized(refusal);
    return user;
  }
}

function verifyPayload(payload: JwtPayload, done: VerifiedCallback): void {
  if (payload.sub === undefined) return done(invalidToken('invalid token: no sub claim'), false);
  if (!isValidUserId(payload.sub)) {
    return done(invalidToken('invalid token: sub must be a string of 1–256 characters without control characters'), false);
  }
  done(null, {
    userId: payload.sub,
    scopes: parseScopes(payload.scope),
    expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
  } satisfies AuthenticatedUser);
}

/** OAuth-style space-separated string, or an array as some issuers emit. */
function parseScopes(scope: unknown): string[] {
  if (typeof scope === 'string') return scope.split(/\s+/).filter(Boolean);
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}
