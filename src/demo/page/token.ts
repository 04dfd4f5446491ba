const STORAGE_KEY = 'herald.demo.token';

/**
 * The token from `?token=`. It is kept for this tab and taken out of the
 * address bar, so the URL can be shared or shown without the credential.
 */
export function readToken(): string | null {
  const url = new URL(window.location.href);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) {
    remember(fromQuery);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
    return fromQuery;
  }
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function remember(token: string): void {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage can be disabled (privacy modes); the token then lasts until the page is reloaded.
  }
}
