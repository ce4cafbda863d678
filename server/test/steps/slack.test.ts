import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { chain, finishedRun, startFakeApi, type FakeApi } from './support.ts';

let t: TestTripline;
let slack: FakeApi;
/** Per hook path: answers to give before "ok" (Slack's own: 500, 429, 404 no_service…). */
const script = new Map<string, number[]>();

function forCustomer(customerId: string, steps: Parameters<typeof chain>[1]) {
  const graph = chain('order.cancelled', steps);
  graph.nodes[0]!.config.filter = { '==': [{ var: 'data.customerId' }, customerId] };
  return graph;
}
const cancelled = (orderId: string, customerId: string) => ({ type: 'order.cancelled', data: { orderId, customerId, reason: 'fraud check' } });
const posts = (path: string) => slack.requests.filter((r) => r.url === path);

beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_NOTIFY_RETRY_SCHEDULE: '100ms,200ms' });
  // Slack-shaped: POST JSON to /services/…, answers 200 "ok" (text/plain), or the scripted error first.
  slack = await startFakeApi((req) => {
    const status = script.get(req.url)?.shift();
    if (status === undefined) return { status: 200, body: 'ok' };
    return { status, body: status === 404 ? 'no_service' : status === 429 ? 'rate_limited' : 'internal_error' };
  });
  for (const name of ['ops_channel', 'flaky_channel', 'gone_channel']) {
    const res = await t.api('/api/v1/credentials', { method: 'POST', json: { name, value: `${slack.url}/services/T000/${name}/xoxsecret${name}`, allowedOrigins: [slack.url] } });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

describe('slack step', () => {
  it('posts the rendered text and blocks to the webhook stored as a credential, without the URL anywhere in the run', async () => {
    const id = await publishWorkflow(
      t,
      'Cancelled → Slack',
      forCustomer('cus_slack', [
        {
          id: 'post',
          type: 'slack',
          config: {
            credential: 'ops_channel',
            text: 'Order *{{data.orderId}}* cancelled: {{data.reason}}',
            blocks: JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: 'Order {{data.orderId}} for {{data.customerId}}' } }]),
          },
        },
      ]),
    );
    await sendEvents(t, cancelled('sl-1', 'cus_slack'));
    const run = await finishedRun(t, id, 'cus_slack');
    expect(run.status).toBe('succeeded');
    const [post] = posts('/services/T000/ops_channel/xoxsecretops_channel');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post!.body)).toEqual({
      text: 'Order *sl-1* cancelled: fraud check',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Order sl-1 for cus_slack' } }],
    });
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'post');
    expect(step.output).toMatchObject({ status: 'sent', attempts: 1, credential: 'ops_channel' });
    const leaks = await t.ctx.pool.query(
      `select (select count(*) from notifications where message::text like $1 or coalesce(last_response, '') like $1 or coalesce(last_error, '') like $1)::int
            + (select count(*) from run_steps where input::text like $1 or output::text like $1)::int as n`,
      ['%xoxsecret%'],
    );
    expect(leaks.rows[0].n).toBe(0);
  });

  it('retries a 500 and a 429 and posts once; a 404 fails to the error output without retrying', async () => {
    script.set('/services/T000/flaky_channel/xoxsecretflaky_channel', [500, 429]);
    const id = await publishWorkflow(t, 'Flaky Slack', forCustomer('cus_flaky', [{ id: 'post', type: 'slack', config: { credential: 'flaky_channel', text: 'hello {{data.orderId}}' } }]));
    await sendEvents(t, cancelled('fl-1', 'cus_flaky'));
    const run = await finishedRun(t, id, 'cus_flaky');
    expect(run.status).toBe('succeeded');
    expect(posts('/services/T000/flaky_channel/xoxsecretflaky_channel')).toHaveLength(3);
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'post');
    const record = await json(t.api(`/api/v1/notifications/${step.output.notificationId}`));
    expect(record.history.map((a: { outcome: string; responseCode: number }) => [a.outcome, a.responseCode])).toEqual([
      ['temporary', 500],
      ['temporary', 429],
      ['sent', 200],
    ]);

    script.set('/services/T000/gone_channel/xoxsecretgone_channel', [404]);
    const gone = await publishWorkflow(
      t,
      'Gone Slack',
      forCustomer('cus_gone', [
        { id: 'post', type: 'slack', config: { credential: 'gone_channel', text: 'hello' } },
        { id: 'fallback', type: 'transform', config: { fields: { why: '{{error.message}}' } }, from: 'post', handle: 'error' },
      ]),
    );
    await sendEvents(t, cancelled('go-1', 'cus_gone'));
    const goneRun = await finishedRun(t, gone, 'cus_gone');
    expect(goneRun.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'post', 'fallback']);
    expect(goneRun.steps.find((s: { nodeId: string }) => s.nodeId === 'fallback').output.why).toContain('HTTP 404');
    expect(posts('/services/T000/gone_channel/xoxsecretgone_channel')).toHaveLength(1);
  });

  it('fails clearly when the credential does not exist, and a dry run posts nothing', async () => {
    const id = await publishWorkflow(t, 'No hook', forCustomer('cus_nohook', [{ id: 'post', type: 'slack', config: { credential: 'missing_hook', text: 'hi' } }]));
    await sendEvents(t, cancelled('nh-1', 'cus_nohook'));
    const run = await finishedRun(t, id, 'cus_nohook');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'post').error).toContain('credential "missing_hook" does not exist');

    const before = slack.requests.length;
    const dry = await json(t.api(`/api/v1/workflows/${id}/test`, { method: 'POST', json: { event: { data: { orderId: 'd-1', customerId: 'cus_nohook', reason: 'x' } } } }));
    expect(dry.steps.find((s: { nodeId: string }) => s.nodeId === 'post').output).toMatchObject({ dryRun: true, wouldPost: { credential: 'missing_hook', text: 'hi' } });
    expect(slack.requests.length).toBe(before);
  });
});

describe('slack step behind the SSRF guard', () => {
  let guarded: TestTripline;
  beforeAll(async () => {
    guarded = await startTestTripline({ TRIPLINE_ALLOW_PRIVATE_TARGETS: '0' });
  });
  afterAll(async () => guarded?.stop());

  it('refuses a webhook URL on a private address: the step fails to `error`, nothing is posted', async () => {
    // Its origin is allowed: only the SSRF guard stands between the step and the private address.
    const saved = await guarded.api('/api/v1/credentials', { method: 'POST', json: { name: 'inner_hook', value: `${slack.url}/services/T000/inner/xoxsecretinner`, allowedOrigins: [slack.url] } });
    expect(saved.status).toBe(201);
    const id = await publishWorkflow(guarded, 'Inner hook', forCustomer('cus_inner', [{ id: 'post', type: 'slack', config: { credential: 'inner_hook', text: 'hi' } }]));
    await sendEvents(guarded, cancelled('in-1', 'cus_inner'));
    const run = await finishedRun(guarded, id, 'cus_inner');
    expect(run.status).toBe('failed');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'post').error).toContain('ssrf_blocked');
    expect(posts('/services/T000/inner/xoxsecretinner')).toHaveLength(0);
  });
});
