/**
 * The events and workflows the scenarios send through Tripline, and the burst that measures
 * runs/s: shared by end-to-end, routing and scale-out so they all measure the same work.
 */
import pg from 'pg';
import { now, post, waitUntil } from './load.ts';
import type { Proc } from './procs.ts';
import { AUTH, round, withDb, type Say } from './harness.ts';

export const discount = (id: string | undefined, amount = 12.5) => ({ ...(id ? { id } : {}), type: 'discount.applied', data: { code: 'BENCH10', customerId: `cus_${id ?? 'x'}`.slice(0, 60), amount, currency: 'EUR' } });
// A store's peak is many customers at once: each event has its own customer (one customer's
// events are applied in order, one after another; `oneCustomer` measures that case alone).
const customerOf = (id: string | undefined) => `cus_${id ?? 'x'}`.slice(0, 60);
export const qualified = (id: string | undefined) => ({ ...(id ? { id } : {}), type: 'promotion.rule_qualified', data: { ruleId: 'rule_bench', customerId: customerOf(id) } });
export const fulfilment = (id: string | undefined) => ({ ...(id ? { id } : {}), type: 'order.fulfillment_updated', data: { orderId: `o_${id ?? 'x'}`, customerId: customerOf(id), status: 'shipped', carrier: 'DHL' } });
export const oneCustomer = (id: string | undefined) => ({ ...(id ? { id } : {}), type: 'order.fulfillment_updated', data: { orderId: 'o1', customerId: 'cus_bench', status: 'shipped', carrier: 'DHL' } });

/** trigger → condition (amount > 5) → webhook, false → stop: the workflow of scenarios 2, 5 and 8. */
export const webhookGraph = (endpointId: string) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'discount.applied' } },
    { id: 'big', type: 'condition', config: { rule: { '>': [{ var: 'data.amount' }, 5] } } },
    { id: 'notify', type: 'webhook', config: { endpointId } },
    { id: 'skip', type: 'stop', config: { reason: 'small discount' } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'big' },
    { id: 'e2', source: 'big', target: 'notify', sourceHandle: 'true' },
    { id: 'e3', source: 'big', target: 'skip', sourceHandle: 'false' },
  ],
});

/** trigger → condition → transform ("set"): the shape n8n's published figure uses. */
export const setGraph = (eventType = 'order.fulfillment_updated') => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType } },
    { id: 'shipped', type: 'condition', config: { rule: { '==': [{ var: 'data.status' }, 'shipped'] } } },
    { id: 'set', type: 'transform', config: { fields: { order: '{{data.orderId}}', carrier: '{{data.carrier}}' } } },
    { id: 'skip', type: 'stop', config: { reason: 'not shipped' } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'shipped' },
    { id: 'e2', source: 'shipped', target: 'set', sourceHandle: 'true' },
    { id: 'e3', source: 'shipped', target: 'skip', sourceHandle: 'false' },
  ],
});

/** Sends `n` events in 100-event batches, a few batches in flight. */
export async function sendBatched(proc: Proc, n: number, make: (i: number) => unknown, tag: string, say: Say, concurrency = 4): Promise<number> {
  const batches: string[] = [];
  for (let i = 0; i < n; i += 100) batches.push(JSON.stringify(Array.from({ length: Math.min(100, n - i) }, (_, k) => make(i + k))));
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const body = batches[next++]!;
        const res = await post(`${proc.url}/api/v1/events`, body, AUTH);
        if (res.status !== 202) {
          errors++;
          say(`${tag}: batch answered ${res.status}: ${res.text.slice(0, 200)}`);
        }
      }
    }),
  );
  return errors;
}

/** Runs/s of a burst: from the first event sent to the last run finished (the engine's sustained rate under a backlog). */
export async function runsBurst(proc: Proc, dbUrl: string, workflowId: string, n: number, make: (id: string) => unknown, tag: string, say: Say) {
  const commits = () => withDb(dbUrl, async (c) => Number((await c.query(`select xact_commit from pg_stat_database where datname = current_database()`)).rows[0].xact_commit));
  const commitsBefore = await commits();
  const t0 = now();
  const sendErrors = await sendBatched(proc, n, (i) => make(`${tag}-${i}`), tag, say);
  const ingestS = (now() - t0) / 1000;
  const pollDb = new pg.Client(dbUrl);
  await pollDb.connect();
  let done = 0;
  const finished = await waitUntil(async () => {
    const { rows } = await pollDb.query(`select count(*)::int as n from runs where workflow_id = $1 and status in ('succeeded', 'failed') and event_id like $2`, [workflowId, `${tag}-%`]);
    done = rows[0].n;
    return done >= n;
  }, 180_000, 100);
  const seconds = (now() - t0) / 1000;
  const { rows } = await pollDb.query(
    `select extract(epoch from max(finished_at) - min(created_at)) as s, count(*) filter (where status = 'failed')::int as failed
       from runs where workflow_id = $1 and event_id like $2`,
    [workflowId, `${tag}-%`],
  );
  await pollDb.end();
  // Every commit in the database over the burst (ingest, processing, delivery, the bench's own
  // polling, ~10 a second) per finished run: the figure the batching is meant to bring down.
  const commitsPerRun = round(((await commits()) - commitsBefore) / Math.max(1, done));
  return { n, completed: done, finished, sendErrors, ingestSeconds: round(ingestS), seconds: round(seconds), runsPerSecond: Math.round(done / seconds), dbSpanSeconds: round(Number(rows[0].s)), failed: rows[0].failed, commitsPerRun };
}
