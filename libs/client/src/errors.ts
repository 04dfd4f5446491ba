import type { ErrorBody } from '@herald/contracts';

/**
 * Every failure the SDK reports: an HTTP error answer (with the API's stable
 * `code`), or no answer at all (`status` null, code NETWORK_ERROR).
 */
export class HeraldError extends Error {
  override readonly name = 'HeraldError';

  constructor(
    /** HTTP status, or null when the request got no answer. */
    readonly status: number | null,
    readonly code: string,
    message: string,
    /** Milliseconds from a Retry-After header, when the server sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }

  /** A retry cannot succeed: bad request, bad or missing token, not found. 408 and 429 are temporary. */
  get permanent(): boolean {
    return this.status !== null && this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }

  static network(cause: unknown): HeraldError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new HeraldError(null, 'NETWORK_ERROR', `no answer from the server: ${reason}`);
  }

  /** Builds the error from a non-2xx response, reading the `{ statusCode, error, message, code }` body when there is one. */
  static async fromResponse(res: Response): Promise<HeraldError> {
    let body: Partial<ErrorBody> = {};
    try {
      body = (await res.json()) as Partial<ErrorBody>;
    } catch {
      // Not JSON (a proxy's error page): status and status text still tell what happened.
    }
    return new HeraldError(
      res.status,
      body.code ?? `HTTP_${res.status}`,
      body.message ?? (res.statusText || `HTTP ${res.status}`),
      parseRetryAfter(res.headers.get('retry-after')),
    );
  }
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
