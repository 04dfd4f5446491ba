/**
 * How one request to the provider went wrong. The generator turns these into
 * retries or into a GenerationError, so the HTTP details stay in one place.
 */
export type ProviderFailureKind =
  /** 429: retry after the pause the provider asks for. */
  | 'rate-limited'
  /** 5xx, network error, dropped connection or silence: retry. */
  | 'unavailable'
  /** The stream broke the protocol (bad JSON, ended early): retry, it is usually a proxy hiccup. */
  | 'malformed'
  /** Any other 4xx: the same request would fail again, so never retry. */
  | 'rejected';

export class ProviderFailure extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}
