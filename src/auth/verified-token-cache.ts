import { AuthenticatedUser } from './authenticated-user';

const DEFAULT_CAPACITY = 1024;

/**
 * Tokens that verified, by their exact text, until they expire.
 *
 * A service publishing events sends the same token with every request, and
 * verifying it (HMAC or RSA, plus base64 and JSON decoding) cost about a
 * twentieth of the API's CPU under publish load (npm run bench, fan-out). A
 * token that verified once verifies again with the same result until its
 * `exp`: the key, issuer and audience are fixed for the life of the process,
 * and a passed `nbf` stays passed. Refused tokens are never kept, so forged
 * ones cannot fill the cache.
 *
 * First in, first out: a hit costs one map lookup, and a token evicted by a
 * crowd of others is verified and kept again on its next use.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, AuthenticatedUser>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** The caller the token names, when it verified before and has not expired since. */
  get(token: string, now = Date.now()): AuthenticatedUser | undefined {
    const user = this.entries.get(token);
    if (user === undefined) return undefined;
    // jsonwebtoken refuses a token from the second its exp names.
    if (user.expiresAt !== null && now >= user.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    return user;
  }

  /** Keeps a verified token; the user object is frozen because every later request shares it. */
  remember(token: string, user: AuthenticatedUser): AuthenticatedUser {
    const shared = Object.freeze({ ...user, scopes: Object.freeze([...user.scopes]) as string[] });
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, shared);
    return shared;
  }

  get size(): number {
    return this.entries.size;
  }
}
