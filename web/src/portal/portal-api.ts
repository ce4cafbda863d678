/**
 * The portal page's only way to the API: its link's token as a Bearer header, never the
 * session cookie (a partner has none, and the page must not use an admin's if one exists).
 *
 * The token arrives in the URL fragment (#token=tlp_…), which browsers never send to a
 * server or in a Referer. It is kept in this tab's sessionStorage and taken out of the
 * address bar, so a screen share or a copied URL shows no token.
 */
import type { ApiErrorDetail } from '@tripline/shared';
import { ApiError } from '../api/client.ts';

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

export function portalClient(token: string): PortalClient {
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`/api/v1/portal${path}`, {
        method,
        credentials: 'omit',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network_error', 'the portal cannot be reached; check the connection and try again');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: ApiErrorDetail[]; requestId?: string } } | undefined)?.error;
      throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? res.statusText, e?.details ?? [], e?.requestId);
    }
    return json as T;
  };
  return {
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    put: (path, body) => request('PUT', path, body),
  };
}

export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}
