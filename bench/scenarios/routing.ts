/**
 * Scenario 4: whether runs/s holds when the store has 10,000 other published workflows
 * (inserted straight into the tables, listening to every other event type) instead of 10.
 */
import { eventTypes } from '@tripline/shared';
import { publish, round, withDb, type BenchDeps } from '../lib/harness.ts';
import { fulfilment, runsBurst, setGraph } from '../lib/workloads.ts';

async function insertOtherWorkflows(url: string, from: number, to: number) {
  const others = eventTypes.filter((t) => t !== 'order.fulfillment_updated');
  await withDb(url, async (c) => {
    await c.query('begin');
    await c.query(
      `insert into workflows (id, name, draft, published_version) select 'wf_other_' || g, 'Other ' || g, jsonb_build_object('nodes', '[]'::jsonb, 'edges', '[]'::jsonb), 1 from generate_series($1::int, $2::int) g`,
      [from, to],
    );
    await c.query(
      `insert into workflow_versions (workflow_id, version, graph)
       select 'wf_other_' || g, 1, jsonb_build_object(
         'nodes', jsonb_build_array(jsonb_build_object('id', 'trigger', 'type', 'trigger', 'config', jsonb_build_object('eventType', ($3::text[])[1 + g % array_length($3::text[], 1)])),
                                    jsonb_build_object('id', 'end', 'type', 'stop', 'config', '{}'::jsonb)),
         'edges', jsonb_build_array(jsonb_build_object('id', 'e1', 'source', 'trigger', 'target', 'end')))
       from generate_series($1::int, $2::int) g`,
      [from, to, others],
    );
    await c.query(
      `insert into workflow_triggers (workflow_id, version, event_type, config)
       select 'wf_other_' || g, 1, ($3::text[])[1 + g % array_length($3::text[], 1)], jsonb_build_object('eventType', ($3::text[])[1 + g % array_length($3::text[], 1)])
       from generate_series($1::int, $2::int) g`,
      [from, to, others],
    );
    await c.query('commit');
    await c.query('analyze workflow_triggers');
  });
}

export async function scenarioRouting({ quick, P, say, freshDatabase, startTripline, report }: BenchDeps) {
  const url = await freshDatabase('routing');
  const proc = await startTripline('routing-all', url, { role: 'all' });
  try {
    const setId = await publish(proc, 'Shipped → set', setGraph());
    await insertOtherWorkflows(url, 1, 10);
    await runsBurst(proc, url, setId, quick ? 200 : 500, fulfilment, 'warm', say);
    const few = await runsBurst(proc, url, setId, P.routingN, fulfilment, 'r10', say);
    await insertOtherWorkflows(url, 11, 10_000);
    await runsBurst(proc, url, setId, 300, fulfilment, 'warm2', say);
    const many = await runsBurst(proc, url, setId, P.routingN, fulfilment, 'r10000', say);
    const ratio = round(many.runsPerSecond / few.runsPerSecond);
    say(`routing: ${few.runsPerSecond} vs ${many.runsPerSecond} runs/s, ratio ${ratio}`);
    report({
      key: 'routing',
      name: '4. Routing scale (10 vs 10,000 other published workflows)',
      parameters: { events: P.routingN, otherWorkflows: [10, 10_000], measuredWorkflow: 'trigger → condition → transform', otherWorkflowsListenTo: 'every other event type' },
      results: { with10: few, with10000: many, ratio },
      peakRssMb: { [proc.name]: proc.peakRss() },
    });
  } finally {
    await proc.stop();
  }
}
