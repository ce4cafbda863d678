import type { WorkflowGraph } from '@tripline/shared';
import type { TestTripline } from './tripline.ts';

/** Polls until fn returns a truthy value or the deadline passes (for asynchronous workers). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function json<T = any>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not JSON (${r.status}): ${text.slice(0, 200)}`);
  }
}

export async function publishWorkflow(t: TestTripline, name: string, graph: WorkflowGraph): Promise<string> {
  const created = await json<{ id: string }>(t.api('/api/v1/workflows', { method: 'POST', json: { name, graph } }));
  const published = await t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} });
  if (published.status !== 200) throw new Error(`publish failed: ${await published.text()}`);
  return created.id;
}

export async function sendEvents(t: TestTripline, events: unknown): Promise<any> {
  const res = await t.api('/api/v1/events', { method: 'POST', json: events });
  if (res.status !== 202) throw new Error(`ingest failed ${res.status}: ${await res.text()}`);
  return res.json();
}

export async function derivedOf(t: TestTripline, type: string): Promise<any[]> {
  const { rows } = await t.ctx.pool.query('select id, type, data, caused_by, chain from events where type = $1 order by seq', [type]);
  return rows;
}

export async function waitForIdle(t: TestTripline, timeoutMs = 15_000) {
  await eventually(async () => {
    const { rows } = await t.ctx.pool.query(
      `select (select count(*) from events where processed_at is null)::int as events,
              (select count(*) from runs where status = 'running')::int as runs`,
    );
    return rows[0].events === 0 && rows[0].runs === 0;
  }, 'the engine to finish', timeoutMs);
}
