/**
 * The portal page's only way to the API: its link's token as a Bearer header, never the
 * session cookie (a partner has none, and the page must not use an admin's if one exists).
 *
 * The token arrives in the URL fragment (#token=tlp_…), which browsers never send to a
 * server or in a Referer. It is kept in this tab's sessionStorage and taken out of the
 * address bar, so a screen share or a copied URL shows no token.
 */
import { api } from '../api/client.ts';

const storageKey = (linkId: string) => `tripline-portal-token:${linkId}`;

export function linkIdFromPath(pathname: string): string {
  return decodeURIComponent(pathname.split('/')[2] ?? '');
}

export function takeToken(linkId: string): string | null {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('token');
  try {
    if (fromHash) {
      sessionStorage.setItem(storageKey(linkId), fromHash);
      history.replaceState(null, '', window.location.pathname + window.location.search);
      return fromHash;
    }
    return sessionStorage.getItem(storageKey(linkId));
  } catch {
    // Storage blocked (some embedded contexts): keep the token in the URL instead.
    return fromHash;
  }
}

export interface PortalClient {
  get: <T>(path: string) => Promise<T>;
  post: <T>(path: string, body?: unknown) => Promise<T>;
  put: <T>(path: string, body: unknown) => Promise<T>;
}

/**
 * The one fetch client, aimed at /api/v1/portal with the link's token and `credentials: 'omit'`
 * (so an admin's session cookie in the same browser is never sent).
 */
export function portalClient(token: string): PortalClient {
  const init: RequestInit = { credentials: 'omit', headers: { authorization: `Bearer ${token}` } };
  const at = (path: string) => `/api/v1/portal${path}`;
  return {
    get: (path) => api.get(at(path), init),
    post: (path, body) => api.post(at(path), body, init),
    put: (path, body) => api.put(at(path), body, init),
  };
}
