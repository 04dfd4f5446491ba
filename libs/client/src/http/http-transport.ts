import { HeraldError, isAbortError } from '../errors';
import { HeraldClientOptions, TokenSource } from './client-options';

export interface RequestOptions {
  method?: 'GET' | 'POST';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The HTTP plumbing shared by REST calls, streams and polls: base URL, token, fetch, error shape. */
export class HttpTransport {
  private readonly baseUrl: string;
  private readonly token: TokenSource | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HeraldClientOptions) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.token = options.token;
    // Called through a wrapper: browsers reject window.fetch invoked with another `this`.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query: RequestOptions['query'] = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  async authHeaders(): Promise<Record<string, string>> {
    const token = typeof this.token === 'function' ? await this.token() : this.token;
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  /** Sends a request; network failures become HeraldError (status null), aborts stay AbortError. */
  async send(path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(await this.authHeaders()), ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.fetchImpl(this.url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw HeraldError.network(error);
    }
  }

  /** A JSON request that answers 2xx, or a HeraldError. */
  async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(path, options);
    if (!res.ok) throw await HeraldError.fromResponse(res);
    return (await res.json()) as T;
  }
}
