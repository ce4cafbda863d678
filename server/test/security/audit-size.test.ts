import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneOnce } from '../../src/console/retention.ts';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Issue 23, item 11: one workflow draft save wrote up to about 2 MB to the append-only audit
 * log (the whole graph before and after), and nothing pruned it. The log now keeps a bounded
 * diff (and version numbers for publishes), and has its own retention, longer than history,
 * bounded, and exportable before it goes.
 */

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

/** A valid graph of about `kb` × 10 KB: ten HTTP request steps with big body templates. */
function bigGraph(kb: number, label = 'call') {
  const nodes: { id: string; type: string; label?: string; config: Record<string, unknown> }[] = [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } }];
  const edges: { id: string; source: string; target: string; sourceHandle?: string }[] = [];
  let previous = 'trigger';
  for (let i = 0; i < 10; i++) {
    const id = `call_${i}`;
    nodes.push({ id, type: 'http_request', label: `${label} ${i}`, config: { method: 'POST', url: `https://api.example.com/${i}`, body: `{"pad": "${'x'.repeat(kb * 1024)}"}`, saveAs: `r${i}` } });
    edges.push({ id: `e${i}`, source: previous, target: id, ...(previous === 'trigger' ? {} : { sourceHandle: 'out' }) });
    previous = id;
  }
  return { nodes, edges };
}

async function entrySizes(workflowId: string): Promise<{ action: string; bytes: number; after: any }[]> {
  const { rows } = await t.ctx.pool.query(
    `select action, (coalesce(octet_length(before::text), 0) + coalesce(octet_length(after::text), 0))::int as bytes, after
       from audit_log where target_type = 'workflow' and target_id = $1 order by id`,
    [workflowId],
  );
  return rows;
}

describe('the audit log keeps changes, not whole graphs (issue 23, item 11)', () => {
  it('a one-label save of a 900 KB workflow writes a small diff that says what changed; publishing names versions', async () => {
    const created = await json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'big', graph: bigGraph(90) } }));
    const workflow = await json(t.api(`/api/v1/workflows/${created.id}`));
    const edited = bigGraph(90);
    edited.nodes[3]!.label = 'renamed step';
    const saved = await t.api(`/api/v1/workflows/${created.id}`, { method: 'PUT', json: { revision: workflow.revision, graph: edited } });
    expect(saved.status).toBe(200);
    expect((await t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} })).status).toBe(200);

    const entries = await entrySizes(created.id);
    expect(entries.map((e) => e.action)).toEqual(['workflow.created', 'workflow.updated', 'workflow.published']);
    for (const e of entries) expect(e.bytes, e.action).toBeLessThan(20_000);
    const update = entries[1]!.after;
    expect(update.graphChange.nodes.changed).toEqual([{ id: 'call_2', type: 'http_request', changes: [{ path: 'label', before: 'call 2', after: 'renamed step' }] }]);
    expect(entries[2]!.after).toMatchObject({ version: 1 });
    // The whole graph of the version is where it always was.
    expect((await json(t.api(`/api/v1/workflows/${created.id}/versions`))).data).toHaveLength(1);
  });

  it('keeps values small: a changed 90 KB body is recorded as cut, with its size', async () => {
    const created = await json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'big body', graph: bigGraph(90) } }));
    const workflow = await json(t.api(`/api/v1/workflows/${created.id}`));
    const edited = bigGraph(90);
    edited.nodes[1]!.config.body = `{"pad": "${'y'.repeat(90 * 1024)}"}`;
    expect((await t.api(`/api/v1/workflows/${created.id}`, { method: 'PUT', json: { revision: workflow.revision, graph: edited } })).status).toBe(200);
    const update = (await entrySizes(created.id))[1]!;
    expect(update.bytes).toBeLessThan(20_000);
    expect(update.after.graphChange.nodes.changed[0].changes[0]).toMatchObject({ path: 'config.body', before: { cut: true }, after: { cut: true, characters: expect.any(Number) } });
  });
});

describe('the audit log has its own retention (issue 23, item 11)', () => {
  it('prunes entries past auditRetentionDays (never sooner than history), after they could be exported, and says so in the log', async () => {
    const old = await t.ctx.pool.query(
      `insert into audit_log (at, actor, action, target_type, target_id) values
         (now() - interval '400 days', 'someone', 'test.ancient', 'test', 'a'),
         (now() - interval '20 days', 'someone', 'test.recent', 'test', 'b')
       returning id`,
    );
    expect(old.rowCount).toBe(2);
    // Exportable before it goes.
    const csv = await (await t.api(`/api/v1/audit.csv?action=test.ancient&until=${encodeURIComponent(new Date(Date.now() - 365 * 86_400_000).toISOString())}`)).text();
    expect(csv).toContain('test.ancient');
    // Shorter than history: history's 30 days win, the 20-day-old entry stays.
    expect((await t.api('/api/v1/settings/auditRetentionDays', { method: 'PUT', json: { value: 10 } })).status).toBe(200);
    expect((await json(t.api('/api/v1/retention'))).auditRetentionDays).toBe(30);
    await pruneOnce(t.ctx.pool);
    const { rows } = await t.ctx.pool.query(`select action from audit_log where action in ('test.ancient', 'test.recent', 'audit.pruned') order by id`);
    expect(rows.map((r) => r.action)).toEqual(['test.recent', 'audit.pruned']);
  });

  it('stays append-only for everything but the retention job', async () => {
    await expect(t.ctx.pool.query(`delete from audit_log where action = 'test.recent'`)).rejects.toThrow('append-only');
    await expect(t.ctx.pool.query(`update audit_log set actor = 'x' where action = 'test.recent'`)).rejects.toThrow('append-only');
    await expect(t.ctx.pool.query(`truncate audit_log`)).rejects.toThrow('append-only');
  });
});
