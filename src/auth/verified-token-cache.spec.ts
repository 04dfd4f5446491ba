import { VerifiedTokenCache } from './verified-token-cache';

const user = (userId: string, expiresAt: number | null = null) => ({ userId, scopes: ['a'], expiresAt });

describe('VerifiedTokenCache', () => {
  it('answers a token until the millisecond its exp names', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', user('alice', 10_000));
    expect(cache.get('t', 9_999)?.userId).toBe('alice');
    expect(cache.get('t', 10_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps a token without exp', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', user('bob'));
    expect(cache.get('t', Number.MAX_SAFE_INTEGER)?.userId).toBe('bob');
  });

  it('holds at most its capacity, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache(2);
    cache.remember('a', user('a'));
    cache.remember('b', user('b'));
    cache.remember('c', user('c'));
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.userId).toBe('b');
    expect(cache.get('c')?.userId).toBe('c');
  });

  it('matches tokens by their exact text only', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('abc', user('a'));
    expect(cache.get('abc ')).toBeUndefined();
    expect(cache.get('ABC')).toBeUndefined();
  });
});
