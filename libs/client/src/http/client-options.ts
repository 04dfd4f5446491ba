/** A token, or a function asked again before every request, so a refreshed token is used on reconnect. */
export type TokenSource = string | (() => string | null | Promise<string | null>);

export interface HeraldClientOptions {
  /** Origin (and optional path prefix) of the API, e.g. `https://herald.example.com`. Empty: same origin (browsers only). */
  baseUrl?: string;
  /** JWT sent as `Authorization: Bearer`. */
  token?: TokenSource;
  /** Replaces the global fetch (tests, custom agents). */
  fetch?: typeof fetch;
}
