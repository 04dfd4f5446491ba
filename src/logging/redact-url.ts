/** Query parameters that carry a token: EventSource's only way to send one, and the demo page's link. */
const TOKEN_PARAMS = new Set(['access_token', 'token']);

/**
 * Replaces the value of every token parameter in a logged URL. Names are
 * compared as the server reads them — percent-decoded (the JWT extractor
 * accepts `access%5Ftoken`) — and in any letter case.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const params = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0];
      return TOKEN_PARAMS.has(decodeName(name).toLowerCase()) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, start)}?${params.join('&')}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
