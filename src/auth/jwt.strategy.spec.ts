import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
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

describe('JwtStrategy: tokens that verified before', () => {
  const token = (userId: string, extra: Partial<Parameters<typeof signToken>[0]> = {}) => signToken({ secret: SECRET, userId, ...extra });

  afterEach(() => jest.useRealTimers());

  it('answers a repeated token without verifying it again, with the same caller', () => {
    const strategy = new JwtStrategy(loadConfig({ JWT_SECRET: SECRET }));
    const verify = jest.spyOn(Strategy.prototype, 'authenticate');
    const t = token('alice', { scopes: ['events:publish'] });
    const first = strategy.authenticateRequest(requestWith('/api/events', `Bearer ${t}`));
    const again = strategy.authenticateRequest(requestWith(`/api/events/stream?access_token=${t}`));
    expect(again).toEqual(first);
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockRestore();
  });

  it('refuses a remembered token once it has expired', () => {
    jest.useFakeTimers({ now: Date.now() });
    const strategy = new JwtStrategy(loadConfig({ JWT_SECRET: SECRET }));
    const t = token('alice', { ttlSeconds: 60 });
    expect(strategy.authenticateRequest(requestWith('/s', `Bearer ${t}`)).userId).toBe('alice');
    jest.advanceTimersByTime(61_000);
    expect(refusal(() => strategy.authenticateRequest(requestWith('/s', `Bearer ${t}`))).code).toBe('TOKEN_EXPIRED');
  });

  it('keeps refusing a bad token (refusals are not remembered as callers)', () => {
    const strategy = new JwtStrategy(loadConfig({ JWT_SECRET: SECRET }));
    const forged = signToken({ secret: `${SECRET}-other`, userId: 'mallory' });
    for (let i = 0; i < 3; i++) {
      expect(refusal(() => strategy.authenticateRequest(requestWith('/s', `Bearer ${forged}`))).code).toBe('INVALID_TOKEN');
    }
  });

  it('hands out a caller nobody can change for the next request', () => {
    const strategy = new JwtStrategy(loadConfig({ JWT_SECRET: SECRET }));
    const t = token('alice', { scopes: ['read'] });
    const user = strategy.authenticateRequest(requestWith('/s', `Bearer ${t}`));
    expect(() => user.scopes.push('events:publish')).toThrow(TypeError);
    expect(strategy.authenticateRequest(requestWith('/s', `Bearer ${t}`)).scopes).toEqual(['read']);
  });
});
