/**
 * The one fetch client of the web UI. Every page calls the API through it:
 *
 *   import { api, ApiError } from '../api/client.ts';
 *   const { data } = await api.get<{ data: User[] }>('/users');        // → GET /api/v1/users
 *   await api.post<User>('/users', { email, password, role });
 *   await api.put<User>(`/users/${id}`, { role });
 *   await api.del(`/users/${id}`);
 *
 * - Paths without the `/api/` prefix are under `/api/v1`; full `/api/...` paths are sent as is.
 * - The session cookie goes along (same origin), and every write carries the session's
 *   CSRF token in `X-CSRF-Token` (set by the session provider from /auth/me or sign-in).
 * - A non-2xx answer throws `ApiError` with the server's `{error: {code, message, details}}`;
 *   a 204 resolves to `undefined`.
 * - A 401 (the session ended) tells the session provider, which sends the person to /login.
 */

import type { ApiErrorDetail } from '@tripline/shared';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorDetail[];
  readonly requestId: string | undefined;
  constructor(status: number, code: string, message: string, details: ApiErrorDetail[] = [], requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }
}

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

/** Called by the session provider; pages never need it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Subscribe to "the API answered 401" (the session expired or was revoked). Returns the unsubscribe. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function apiUrl(path: string): string {
  return path.startsWith('/api/') ? path : `/api/v1${path.startsWith('/') ? '' : '/'}${path}`;
}

async function request<T>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (body !== undefined) headers.set('content-type', 'application/json');
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers.set('x-csrf-token', csrfToken);
  const url = apiUrl(path);
  let res: Response;
  try {
    res = await fetch(url, { ...init, method, headers, credentials: init.credentials ?? 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network_error', 'Tripline cannot be reached; check the connection and try again');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: ApiErrorDetail[]; requestId?: string } } | undefined)?.error;
    if (res.status === 401 && !url.endsWith('/auth/login')) unauthorizedListeners.forEach((l) => l());
    throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? (text.slice(0, 200) || res.statusText), error?.details ?? [], error?.requestId);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, init?: RequestInit) => request<T>('GET', path, undefined, init),
  post: <T>(path: string, body?: unknown, init?: RequestInit) => request<T>('POST', path, body ?? {}, init),
  put: <T>(path: string, body?: unknown, init?: RequestInit) => request<T>('PUT', path, body ?? {}, init),
  patch: <T>(path: string, body?: unknown, init?: RequestInit) => request<T>('PATCH', path, body ?? {}, init),
  del: <T = void>(path: string, init?: RequestInit) => request<T>('DELETE', path, undefined, init),
};

/** A query string from filters, leaving out empty values: `query({a: 1, b: ''})` → `?a=1`. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
