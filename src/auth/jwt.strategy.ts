import { createPublicKey, createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, JwtFromRequestFunction, Strategy } from 'passport-jwt';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { AuthenticatedUser } from './authenticated-user';
import { invalidToken } from './token-error';
import { isValidUserId } from './user-id';

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

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
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
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([ExtractJwt.fromAuthHeaderAsBearerToken(), fromAccessTokenQuery]),
      // passport-jwt hands the key to jsonwebtoken untouched; its types predate KeyObject.
      secretOrKey: keyObject as unknown as Buffer,
      algorithms: secret ? SECRET_ALGORITHMS : PUBLIC_KEY_ALGORITHMS,
      issuer: issuer ?? undefined,
      audience: audience ?? undefined,
      ignoreExpiration: false,
    });
  }

  validate(payload: JwtPayload): AuthenticatedUser {
    if (payload.sub === undefined) throw invalidToken('invalid token: no sub claim');
    if (!isValidUserId(payload.sub)) {
      throw invalidToken('invalid token: sub must be a string of 1–256 characters without control characters');
    }
    return {
      userId: payload.sub,
      scopes: parseScopes(payload.scope),
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
    };
  }
}

/** EventSource cannot send headers, so browsers pass the token as `?access_token=`. */
const fromAccessTokenQuery: JwtFromRequestFunction = (request: Request) => {
  const url = new URL(request.originalUrl ?? request.url ?? '/', 'http://herald.invalid');
  return url.searchParams.get('access_token');
};

/** OAuth-style space-separated string, or an array as some issuers emit. */
function parseScopes(scope: unknown): string[] {
  if (typeof scope === 'string') return scope.split(/\s+/).filter(Boolean);
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}
