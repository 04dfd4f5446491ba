import type { Request } from 'express';
import { ApiError } from '../common/api-error';
import { loadConfig } from '../config/load-config';
import { JwtStrategy } from './jwt.strategy';
import { signToken } from './token-signer';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

function requestWith(url: string, authorization?: string): Request {
  return { url, originalUrl: url, headers: authorization ? { authorization } : {} } as unknown as Request;
}

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the request was not refused');
}

describe('JwtStrategy.authenticateRequest', () => {
  const strategy = new JwtStrategy(loadConfig({ JWT_SECRET: SECRET }));
  const token = (userId = 'alice', extra: Partial<Parameters<typeof signToken>[0]> = {}) =>
    signToken({ secret: SECRET, userId, ...extra });

  it('answers before it returns (the global guard awaits nothing for it)', () => {
    const user = strategy.authenticateRequest(requestWith('/api/events/stream', `Bearer ${token('alice', { scopes: ['a', 'b'] })}`));
    expect(user).toEqual({ userId: 'alice', scopes: ['a', 'b'], expiresAt: expect.any(Number) });
  });

  it('reads the access_token query parameter, also with a percent-encoded name', () => {
    expect(strategy.authenticateRequest(requestWith(`/s?x=1&access_token=${token('bob')}`)).userId).toBe('bob');
    expect(strategy.authenticateRequest(requestWith(`/s?access%5Ftoken=${token('carol')}`)).userId).toBe('carol');
  });

  it('prefers the Authorization header to the query parameter', () => {
    const user = strategy.authenticateRequest(requestWith(`/s?access_token=${token('query')}`, `Bearer ${token('header')}`));
    expect(user.userId).toBe('header');
  });

  it.each([
    ['no token', requestWith('/s'), 'MISSING_TOKEN'],
    ['an expired token', requestWith('/s', `Bearer ${token('alice', { now: Date.now() - 7_200_000 })}`), 'TOKEN_EXPIRED'],
    ['a token signed with another secret', requestWith('/s', `Bearer ${signToken({ secret: `${SECRET}-x`, userId: 'a' })}`), 'INVALID_TOKEN'],
    ['an empty access_token', requestWith('/s?access_token='), 'MISSING_TOKEN'],
  ])('refuses %s with 401 %s', (_case, req, code) => {
    const error = refusal(() => strategy.authenticateRequest(req));
    expect(error.getStatus()).toBe(401);
    expect(error.code).toBe(code);
  });
});
