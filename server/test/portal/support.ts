import type { TestTripline } from '../support/tripline.ts';

export interface CreatedLink {
  id: string;
  url: string;
  token: string;
  expiresAt: string;
  endpointIds: string[];
}

/** Makes a portal link with the admin API key. */
export async function createLink(t: TestTripline, body: Record<string, unknown>): Promise<CreatedLink> {
  const res = await t.api('/api/v1/portal/links', { method: 'POST', json: body });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`create link failed ${res.status}: ${text}`);
  return JSON.parse(text) as CreatedLink;
}

/** fetch with a portal token. */
export function portal(t: TestTripline, token: string) {
  return (path: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(t.url + path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
}

/** Every portal API route, with `:id` (endpoint) or `:delivery` to fill in, and a valid body. */
export const PORTAL_ROUTES: { method: string; path: string; body?: unknown; scoped?: 'endpoint' | 'delivery' }[] = [
  { method: 'GET', path: '/api/v1/portal/session' },
  { method: 'GET', path: '/api/v1/portal/endpoints' },
  { method: 'GET', path: '/api/v1/portal/event-types' },
  { method: 'GET', path: '/api/v1/portal/endpoints/:id', scoped: 'endpoint' },
  { method: 'PUT', path: '/api/v1/portal/endpoints/:id', scoped: 'endpoint', body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.*'] } },
  { method: 'GET', path: '/api/v1/portal/endpoints/:id/deliveries', scoped: 'endpoint' },
  { method: 'POST', path: '/api/v1/portal/endpoints/:id/recover', scoped: 'endpoint', body: { since: new Date(Date.now() - 3_600_000).toISOString() } },
  { method: 'POST', path: '/api/v1/portal/endpoints/:id/test', scoped: 'endpoint', body: { eventType: 'order.created' } },
  { method: 'POST', path: '/api/v1/portal/endpoints/:id/rotate-secret', scoped: 'endpoint', body: {} },
  { method: 'GET', path: '/api/v1/portal/deliveries/:id', scoped: 'delivery' },
  { method: 'POST', path: '/api/v1/portal/deliveries/:id/replay', scoped: 'delivery' },
];
