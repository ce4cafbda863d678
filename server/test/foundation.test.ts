import { eventTypes } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { startTestTripline, type TestTripline } from './support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

describe('foundation', () => {
  it('answers /healthz once the database and queue are ready', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the whole event catalog with JSON Schema and examples', async () => {
    const res = await t.api('/api/v1/event-types');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { type: string; schema: { type: string }; example: object }[] };
    expect(body.data.map((d) => d.type).sort()).toEqual([...eventTypes].sort());
    const ltv = body.data.find((d) => d.type === 'customer.ltv_tier_changed')!;
    expect(ltv.schema.type).toBe('object');
    expect(ltv.example).toMatchObject({ to: 'gold' });
  });

  it('publishes an OpenAPI 3.1 document generated from the schemas', async () => {
    const res = await fetch(`${t.url}/api/openapi.json`);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/event-types');
  });

  it('refuses the catalog to an anonymous caller with 401', async () => {
    const res = await fetch(`${t.url}/api/v1/event-types`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await t.api('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/no route GET/);
  });

  it('applies migrations once: running them again, even concurrently, changes nothing', async () => {
    const again = await Promise.all([migrate(t.databaseUrl), migrate(t.databaseUrl)]);
    expect(again).toEqual([[], []]);
  });
});
