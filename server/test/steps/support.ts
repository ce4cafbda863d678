import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowGraph } from '@tripline/shared';
import { eventually, json } from '../support/engine.ts';
import { afterAll, beforeAll } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/** A loopback HTTP API whose answers the test decides (a loyalty service, say); records every request. */
export interface FakeApi {
  url: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  answer: (req: { method: string; url: string; body: string }) => { status: number; body: unknown; headers?: Record<string, string> };
  close(): Promise<void>;
}

export async function startFakeApi(answer: FakeApi['answer']): Promise<FakeApi> {
  const api: FakeApi = { url: '', requests: [], answer, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      api.requests.push(entry);
      const out = api.answer(entry);
      const text = typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      res.writeHead(out.status, { 'content-type': typeof out.body === 'string' ? 'text/plain' : 'application/json', ...out.headers }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}

/** A chain trigger → steps… (each on `out`, or the handle given) as a graph. */
export function chain(eventType: string, steps: { id: string; type: string; config: Record<string, unknown>; from?: string; handle?: string }[]): WorkflowGraph {
  const nodes: WorkflowGraph['nodes'] = [{ id: 'trigger', type: 'trigger', config: { eventType } }];
  const edges: WorkflowGraph['edges'] = [];
  let previous = 'trigger';
  for (const s of steps) {
    nodes.push({ id: s.id, type: s.type, config: s.config });
    const from = s.from ?? previous;
    edges.push({ id: `e-${s.id}`, source: from, target: s.id, sourceHandle: s.handle ?? 'out' });
    previous = s.id;
  }
  return { nodes, edges };
}

/** The finished run of a workflow for a subject, with its steps. */
export async function finishedRun(t: TestTripline, workflowId: string, subject: string) {
  // 45 s is a bound, not a speed check: a run parked by delays and deliveries took 13 s on a loaded machine.
  const run = await eventually(async () => {
    const page = await json(t.api(`/api/v1/runs?workflowId=${workflowId}&subject=${encodeURIComponent(subject)}`));
    const r = page.data[0];
    return r && ['succeeded', 'failed'].includes(r.status) ? r : undefined;
  }, `the run for ${subject} to finish`, 45_000);
  return json(t.api(`/api/v1/runs/${run.id}`));
}

export const order = (orderId: string, customerId: string, total: number, items = [{ sku: 'X', quantity: 1, price: total }]) => ({
  type: 'order.created',
  data: { orderId, customerId, status: 'pending', total, currency: 'EUR', items },
});

/**
 * The stack the step tests share: a Tripline on its own database, a loopback receiver and an
 * endpoint delivering to it, started before the file's tests and stopped after them.
 */
export function useStepsStack(): { t: TestTripline; receiver: Receiver; endpointId: string } {
  const stack = {} as { t: TestTripline; receiver: Receiver; endpointId: string };
  beforeAll(async () => {
    stack.t = await startTestTripline();
    stack.receiver = await startReceiver();
    stack.endpointId = (await json(stack.t.api('/api/v1/endpoints', { method: 'POST', json: { url: stack.receiver.url, eventTypes: [] } }))).id;
  });
  afterAll(async () => {
    await stack.t?.stop();
    await stack.receiver?.close();
  });
  return stack;
}
