/** Removes the value of access_token (EventSource's only way to send a token) from a logged URL. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}
