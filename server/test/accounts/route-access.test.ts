import { Bus } from '../../src/bus.ts';
import { can, roles, type PrincipalRole } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAccessOf, type RouteAccess } from '../../src/auth/middleware.ts';
import { features } from '../../src/features.ts';
import { createApp } from '../../src/http/app.ts';
import { openApiDocument } from '../../src/http/openapi.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { userWithRole } from './support.ts';

/**
 * Walks EVERY route the app mounts (its Express router stack, so a route added by any
 * feature later is covered without editing this file) with an anonymous caller, a session
 * of every role and an API key of every scope:
 * - anonymous → 401 (unless the route is deliberately public),
 * - a caller whose role lacks the route's permission → 403,
 * - a caller whose role has it → neither 401 nor 403.
 * The permission comes from the `authorize(…)` handler on the route; a route under /api
 * with no authorize / requireSignedIn / allowAnonymous at all fails the test.
 */

interface FoundRoute {
  method: string;
  path: string;
  access: RouteAccess[];
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle: unknown;
  rawPath?: unknown;
}

function walk(stack: Layer[], prefix: string, inherited: RouteAccess[], out: FoundRoute[]) {
  const scoped = [...inherited];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const access = [...scoped, ...layer.route.stack.map((l) => routeAccessOf(l.handle)).filter((a): a is RouteAccess => a !== undefined)];
      for (const p of paths) {
        if (typeof p !== 'string') continue;
        for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all')) {
          out.push({ method: method.toUpperCase(), path: prefix + p, access });
        }
      }
      continue;
    }
    const nested = (layer.handle as { stack?: Layer[] } | undefined)?.stack;
    if (Array.isArray(nested)) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(nested, prefix + mount, scoped, out);
      continue;
    }
    const access = routeAccessOf(layer.handle);
    if (access) scoped.push(access); // router.use(authorize(…)) guards the routes after it
  }
}

/** Routes that are public on purpose and guard themselves some other way. */
const PUBLIC = [
  /^\/healthz$/,
  /^\/api\/openapi\.json$/,
  /^\/api\/v1\/ingest\//, // WooCommerce: verified by its own X-WC-Webhook-Signature
  /^(\/api\/v1)?\/metrics$/, // Prometheus scrape: checks its token or the allow-list itself (console/metrics-access.ts)
];

interface Caller {
  name: string;
  role: PrincipalRole | null;
  headers: Record<string, string>;
  /** A partner portal token: only the portal routes let it through. */
  portal?: boolean;
}

let t: TestTripline;
let routes: FoundRoute[];
let publicDocumented: Set<string>;
const callers: Caller[] = [{ name: 'anonymous', role: null, headers: {} }];

beforeAll(async () => {
  t = await startTestTripline();
  // Its own bus: the running test Tripline's features already provide theirs on t.ctx.bus.
  const parts = await features({ ...t.ctx, bus: new Bus() });
  const app = createApp(t.ctx, { ...parts.http, isReady: () => true });
  routes = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', [], routes);
  const doc = openApiDocument() as { paths?: Record<string, Record<string, { security?: unknown[] }>> };
  publicDocumented = new Set(
    Object.entries(doc.paths ?? {}).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
        .map(([m]) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    ),
  );
  for (const role of roles) {
    const u = await userWithRole(t, role);
    callers.push({ name: `${role} session`, role, headers: { cookie: u.session.cookie, 'x-csrf-token': u.session.csrfToken } });
  }
  for (const scope of ['ingest', 'read', 'admin'] as const) {
    const res = await t.api('/api/v1/api-keys', { method: 'POST', json: { name: `probe ${scope}`, scope } });
    const { key } = (await res.json()) as { key: string };
    callers.push({ name: `${scope} API key`, role: scope === 'ingest' ? 'ingest' : scope === 'read' ? 'viewer' : 'admin', headers: { authorization: `Bearer ${key}` } });
  }
  const endpoint = await t.api('/api/v1/endpoints', { method: 'POST', json: { url: 'http://127.0.0.1:9/probe', eventTypes: [] } });
  const link = await t.api('/api/v1/portal/links', { method: 'POST', json: { endpointIds: [((await endpoint.json()) as { id: string }).id], rateLimitPerMinute: 10_000 } });
  const { token } = (await link.json()) as { token: string };
  callers.push({ name: 'portal token', role: null, portal: true, headers: { authorization: `Bearer ${token}` } });
});
afterAll(() => t?.stop());

const isPublic = (r: FoundRoute) =>
  PUBLIC.some((re) => re.test(r.path)) ||
  publicDocumented.has(`${r.method} ${r.path}`) ||
  (r.access.length > 0 && r.access.every((a) => a.kind === 'public'));

const concrete = (path: string) => path.replace(/:(\w+)/g, 'probe-missing-$1').replace(/[{}]/g, '').replace(/\*\w*/g, 'probe');

describe('every route, every role', () => {
  it('finds the routes of every feature, including the accounts and audit routes', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(expect.arrayContaining(['GET /api/v1/users', 'POST /api/v1/api-keys', 'GET /api/v1/audit', 'PUT /api/v1/settings/:key', 'GET /api/v1/event-types']));
    expect(routes.length).toBeGreaterThan(15);
  });

  it('guards every API route with a permission, a sign-in requirement or an explicit public marker', () => {
    const unguarded = routes.filter((r) => r.path.startsWith('/api') && r.access.length === 0 && !isPublic(r)).map((r) => `${r.method} ${r.path}`);
    expect(unguarded).toEqual([]);
  });

  it('mounts every /api/v1 route the OpenAPI document describes', () => {
    const mounted = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const doc = openApiDocument() as { paths?: Record<string, Record<string, unknown>> };
    const missing = Object.entries(doc.paths ?? {})
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`))
      .filter((name) => name.includes(' /api/v1/') && !mounted.has(name));
    expect(missing).toEqual([]);
  });

  it('describes every mounted /api/v1 route in the OpenAPI document', () => {
    const doc = openApiDocument() as { paths?: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths ?? {}).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)),
    );
    const undocumented = routes
      .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.path}`)
      .filter((name) => !documented.has(name));
    expect([...new Set(undocumented)]).toEqual([]);
  });

  it('answers 401 to anonymous callers and 403 to roles without the permission, and lets the others through', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of routes) {
      if (!route.path.startsWith('/api') || isPublic(route)) continue;
      const permissions = route.access.flatMap((a) => (a.kind === 'permission' ? [a.permission] : []));
      for (const caller of callers) {
        const write = ['POST', 'PUT', 'PATCH'].includes(route.method);
        const started = Date.now();
        const res = await fetch(t.url + concrete(route.path), {
          method: route.method,
          headers: { ...caller.headers, ...(write ? { 'content-type': 'application/json' } : {}) },
          body: write ? '{}' : undefined,
          signal: AbortSignal.timeout(15_000),
        });
        // Only the status matters; streams (server-sent events) would never end.
        await res.body?.cancel();
        if (Date.now() - started > 2000) console.warn(`slow probe: ${route.method} ${route.path} as ${caller.name}: ${Date.now() - started} ms`);
        checked++;
        const lacking = caller.role === null ? [] : permissions.filter((p) => !can(caller.role!, p));
        const portalRoute = route.access.some((a) => a.kind === 'portal');
        // Portal routes take only portal tokens (401 for everyone else); a portal token gets 403 everywhere else.
        const expected = portalRoute ? (caller.portal ? 'allowed' : '401') : caller.portal ? '403' : caller.role === null ? '401' : lacking.length ? '403' : 'allowed';
        const got = res.status === 401 ? '401' : res.status === 403 ? '403' : 'allowed';
        if (got !== expected) {
          failures.push(`${route.method} ${route.path} as ${caller.name}: expected ${expected}${lacking.length ? ` (lacks ${lacking.join(', ')})` : ''}, got ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });
});
