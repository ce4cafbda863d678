import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

it('serves an OpenAPI document that is valid against the OpenAPI 3.1 schema', async () => {
  const res = await fetch(`${t.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string };
  const validator = new Validator();
  const result = await validator.validate(doc);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
});

it('documents the query parameters a route validates, from the same schema', async () => {
  const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
  const query = (path: string) => (doc.paths[path]?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  expect(query('/api/v1/runs')).toEqual(expect.arrayContaining(['workflowId', 'status', 'since', 'until', 'cursor', 'limit']));
  expect(query('/api/v1/endpoints/{id}/deliveries')).toEqual(expect.arrayContaining(['status', 'cursor', 'limit']));
});
