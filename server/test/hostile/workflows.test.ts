import { nodeDefinitions } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Invalid workflow graphs are refused at publish with the problem named; unsafe json-logic
 * and object-internals keys are refused wherever they hide; and no JSON route lets a
 * payload touch Object.prototype (this process hosts the server, so a pollution would show
 * here).
 */
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(async () => {
  await t?.stop();
  delete (Object.prototype as Record<string, unknown>).polluted;
});

async function error(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string; details?: { path?: string; nodeId?: string; edgeId?: string; message: string }[] } }).error;
}

/** Creates a draft from raw JSON (so "__proto__" stays a key) and tries to publish it. */
async function publishRaw(graphJson: string): Promise<Response> {
  const created = await t.api('/api/v1/workflows', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"name":"hostile","graph":${graphJson}}` });
  if (created.status !== 201) return created;
  const { id } = (await created.json()) as { id: string };
  return t.api(`/api/v1/workflows/${id}/publish`, { method: 'POST', json: {} });
}
const publish = (graph: unknown) => publishRaw(JSON.stringify(graph));

const trigger = { id: 't', type: 'trigger', config: { eventType: 'order.created' } };
const cond = (id: string, rule: unknown = { '==': [1, 1] }) => ({ id, type: 'condition', config: { rule } });
const edge = (id: string, source: string, target: string, sourceHandle?: string) => ({ id, source, target, ...(sourceHandle ? { sourceHandle } : {}) });

function expectUnpolluted() {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
}

describe('invalid workflow graphs are refused at publish', () => {
  it('a cycle', async () => {
    const res = await publish({ nodes: [trigger, cond('a'), cond('b')], edges: [edge('e1', 't', 'a'), edge('e2', 'a', 'b', 'true'), edge('e3', 'b', 'a', 'true')] });
    expect(res.status).toBe(422);
    const e = await error(res);
    expect(e.code).toBe('invalid_workflow');
    expect(e.details).toContainEqual(expect.objectContaining({ message: 'the workflow loops back to this step; workflows must not contain cycles' }));
  });

  it('two triggers', async () => {
    const res = await publish({ nodes: [trigger, { ...trigger, id: 't2' }], edges: [] });
    expect(res.status).toBe(422);
    expect(await error(res)).toMatchObject({ code: 'invalid_workflow', message: 'the workflow cannot be published: node "t2": a workflow has exactly one trigger; remove this one' });
  });

  it('no trigger at all', async () => {
    const res = await publish({ nodes: [], edges: [] });
    expect(res.status).toBe(422);
    expect((await error(res)).message).toBe('the workflow cannot be published: a workflow needs exactly one trigger; add a "When an event arrives" node');
  });

  it('a dangling edge', async () => {
    const res = await publish({ nodes: [trigger], edges: [edge('e1', 't', 'ghost')] });
    expect(res.status).toBe(422);
    expect(await error(res)).toMatchObject({ code: 'invalid_workflow', message: 'the workflow cannot be published: edge "e1": edge points to a missing node "ghost"' });
  });

  it('an unknown node type', async () => {
    const res = await publish({ nodes: [trigger, { id: 'x', type: 'exec', config: { cmd: 'rm -rf /' } }], edges: [edge('e1', 't', 'x')] });
    expect(res.status).toBe(422);
    expect((await error(res)).message).toBe(
      `the workflow cannot be published: node "x": unknown node type "exec"; known: ${Object.keys(nodeDefinitions).join(', ')}`,
    );
  });

  it('json-logic "method" (calls functions) and unknown operators', async () => {
    for (const [op, rule] of [
      ['method', { method: [{ var: 'data.orderId' }, 'toUpperCase'] }],
      ['eval', { eval: ['1+1'] }],
      ['log', { log: 'x' }],
      ['toString', { toString: [] }],
    ] as const) {
      const res = await publish({ nodes: [trigger, cond('c', rule)], edges: [edge('e1', 't', 'c')] });
      expect(res.status, op).toBe(422);
      // toString is an Object.prototype name: refused as a key before it is even an operator.
      const message = op === 'toString' ? `"${op}" is not allowed in a rule` : `operator "${op}" is not allowed`;
      expect((await error(res)).message, op).toBe(`the workflow cannot be published: node "c": ${message}`);
    }
  });

  it('prototype paths in var, in the trigger filter and in a condition', async () => {
    for (const path of ['__proto__', 'constructor.constructor', 'data.__proto__.polluted', 'prototype']) {
      const res = await publish({ nodes: [{ ...trigger, config: { eventType: 'order.created', filter: { '==': [{ var: path }, 1] } } }], edges: [] });
      expect(res.status, path).toBe(422);
      expect((await error(res)).message, path).toBe(`the workflow cannot be published: node "t": path "${path}" reaches into object internals`);
    }
    const inCondition = await publish({ nodes: [trigger, cond('c', { missing: ['constructor.name'] })], edges: [edge('e1', 't', 'c')] });
    expect(inCondition.status).toBe(422);
    expect((await error(inCondition)).message).toBe('the workflow cannot be published: node "c": path "constructor.name" reaches into object internals');
  });

  it('"__proto__" and "constructor" as keys inside a rule', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const res = await publishRaw(
        `{"nodes":[{"id":"t","type":"trigger","config":{"eventType":"order.created"}},{"id":"c","type":"condition","config":{"rule":{"and":[{"${key}":{"polluted":true}}]}}}],"edges":[{"id":"e1","source":"t","target":"c"}]}`,
      );
      expect(res.status, key).toBe(422);
      expect((await error(res)).details, key).toContainEqual(expect.objectContaining({ nodeId: 'c', message: `"${key}" is not allowed in a rule` }));
    }
    expectUnpolluted();
  });

  it('"__proto__" and "constructor" as node or edge ids, and as transform field names', async () => {
    const asId = await t.api('/api/v1/workflows', { method: 'POST', json: { name: 'x', graph: { nodes: [{ ...trigger, id: '__proto__' }], edges: [] } } });
    expect(asId.status).toBe(422);
    expect((await error(asId)).details).toContainEqual({ path: 'graph.nodes.0.id', message: 'reserved name' });
    const asEdge = await t.api('/api/v1/workflows', { method: 'POST', json: { name: 'x', graph: { nodes: [trigger], edges: [edge('constructor', 't', 't')] } } });
    expect(asEdge.status).toBe(422);
    for (const key of ['constructor', 'prototype']) {
      const res = await publishRaw(
        `{"nodes":[{"id":"t","type":"trigger","config":{"eventType":"order.created"}},{"id":"x","type":"transform","config":{"fields":{"${key}":"{{data}}"}}}],"edges":[{"id":"e1","source":"t","target":"x"}]}`,
      );
      expect(res.status, key).toBe(422);
      expect((await error(res)).details, key).toContainEqual({ nodeId: 'x', path: `fields.${key}`, message: 'Invalid key in record' });
    }
    // "__proto__" as a JSON key: kept as inert data in the draft, but zod's record parser
    // skips it, so the checked config the engine runs has no such field; publishing works.
    const res = await publishRaw(
      '{"nodes":[{"id":"t","type":"trigger","config":{"eventType":"order.created"}},{"id":"x","type":"transform","config":{"fields":{"__proto__":"{{data}}","ok":"{{data.orderId}}"}}}],"edges":[{"id":"e1","source":"t","target":"x"}]}',
    );
    expect(res.status).toBe(200);
    expectUnpolluted();
  });

  it('a "__proto__" key in a node config does not change what the config means', async () => {
    const res = await publishRaw(
      `{"nodes":[{"id":"t","type":"trigger","config":{"eventType":"order.created","__proto__":{"filter":{"==":[1,2]},"polluted":true}}}],"edges":[]}`,
    );
    // Accepted (unknown keys are dropped), and the trigger has no filter: every order runs it.
    expect(res.status).toBe(200);
    const { rows } = await t.ctx.pool.query(`select config from workflow_triggers where event_type = 'order.created'`);
    for (const row of rows) expect(row.config).not.toHaveProperty('filter');
    expectUnpolluted();
  });
});

describe('prototype pollution through every JSON route', () => {
  const payloads = [
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":{"__proto__":{"polluted":true}},"b":[{"__proto__":{"polluted":true}}]}',
  ];

  it('leaves Object.prototype untouched and answers no 500', async () => {
    const { id: wfId } = (await (await t.api('/api/v1/workflows', { method: 'POST', json: { name: 'target', graph: { nodes: [trigger], edges: [] } } })).json()) as { id: string };
    const sourceRes = await t.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'shop' } });
    const source = (await sourceRes.json()) as { id: string };
    const routes: [string, string, (p: string) => string][] = [
      ['POST', '/api/v1/events', (p) => p],
      ['POST', '/api/v1/events', (p) => `{"type":"customer.created","data":{"customerId":"c1","__proto__":{"polluted":true},"x":${p}}}`],
      ['POST', '/api/v1/events', (p) => `[{"type":"customer.updated","data":${p.replace('{', '{"customerId":"c2",')}}]`],
      ['POST', '/api/v1/workflows', (p) => p],
      ['POST', '/api/v1/workflows', (p) => `{"name":"w","graph":{"nodes":[{"id":"t","type":"trigger","config":${p}}],"edges":[]}}`],
      ['PUT', `/api/v1/workflows/${wfId}`, (p) => p.replace('{', '{"revision":1,')],
      ['POST', `/api/v1/workflows/${wfId}/test`, (p) => `{"event":{"type":"order.created","data":${p}}}`],
      ['POST', `/api/v1/workflows/${wfId}/publish`, (p) => p],
      ['POST', '/api/v1/endpoints', (p) => p],
      ['POST', '/api/v1/endpoints', (p) => `{"url":"http://127.0.0.1:9/x","eventTypes":["order.created"],"headers":${p},"filter":${p}}`],
      ['POST', '/api/v1/campaigns', (p) => p.replace('{', '{"name":"c","kind":"bogo",')],
      ['PUT', '/api/v1/settings/ltvTiers', (p) => `{"value":${p}}`],
      ['POST', '/api/v1/users', (p) => p.replace('{', '{"email":"p@test.local","password":"long enough pw","role":"viewer",')],
      ['POST', '/api/v1/auth/login', (p) => p.replace('{', '{"email":"nobody@test.local","password":"whatever-pw",')],
      ['POST', '/api/v1/sources', (p) => p],
      ['POST', `/api/v1/ingest/woocommerce/${source.id}`, (p) => p],
      ['POST', '/api/v1/api-keys', (p) => p],
    ];
    const statuses: string[] = [];
    for (const [method, path, wrap] of routes) {
      for (const p of payloads) {
        const body = wrap(p);
        const res = await t.api(path, { method, headers: { 'content-type': 'application/json' }, body });
        statuses.push(`${method} ${path} ${res.status}`);
        expect(res.status, `${method} ${path} ${body}`).toBeLessThan(500);
        expectUnpolluted();
      }
    }
    // The engine processes what was accepted (json-logic, templates, state) and still nothing leaks.
    await new Promise((r) => setTimeout(r, 1000));
    expectUnpolluted();
    expect(statuses.length).toBe(routes.length * payloads.length);
  });
});
