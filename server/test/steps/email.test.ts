import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_MAX_RECIPIENTS, instantiateTemplate, workflowTemplates } from '@tripline/shared';
import { pruneOnce } from '../../src/console/retention.ts';
import { eventually, json, publishWorkflow, sendEvents, waitForIdle } from '../support/engine.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { chain, finishedRun } from './support.ts';

const SMTP_USER = 'tripline-mailer';
const SMTP_PASSWORD = 'smtp-pass-9f2c71d4e8';

let t: TestTripline;
let smtp: TestSmtpServer;

const cancelled = (orderId: string, customerId: string, reason = 'out of stock') => ({ type: 'order.cancelled', data: { orderId, customerId, reason } });
const emailStep = (overrides: Record<string, unknown> = {}) => ({
  id: 'mail',
  type: 'email',
  config: {
    to: 'supplier@example.com, {{data.customerId}}@example.com',
    cc: 'ops@example.com',
    replyTo: 'orders@example.com',
    subject: 'Order {{data.orderId}} cancelled',
    text: 'Order {{data.orderId}} was cancelled: {{data.reason}}.',
    html: '<p>Order <b>{{data.orderId}}</b>: {{data.reason}}</p>',
    ...overrides,
  },
});
const mailsFor = (orderId: string) => smtp.messages.filter((m) => m.subject.includes(orderId));

/** A trigger → steps chain that runs only for one customer's events, so workflows of other tests stay out of the way. */
function forCustomer(customerId: string, steps: Parameters<typeof chain>[1]) {
  const graph = chain('order.cancelled', steps);
  graph.nodes[0]!.config.filter = { '==': [{ var: 'data.customerId' }, customerId] };
  return graph;
}

beforeAll(async () => {
  smtp = await startSmtpServer({ requireAuth: { username: SMTP_USER, password: SMTP_PASSWORD } });
  t = await startTestTripline({ TRIPLINE_NOTIFY_RETRY_SCHEDULE: '100ms,200ms' });
  const saved = await t.api('/api/v1/notify/smtp', {
    method: 'PUT',
    json: { host: smtp.host, port: smtp.port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD, from: 'shop@example.com' },
  });
  expect(saved.status).toBe(200);
});
afterAll(async () => {
  await t?.stop();
  await smtp?.close();
});

describe('SMTP settings', () => {
  it('keeps the password encrypted and never shows it; sends a test email through the server', async () => {
    const shown = await json(t.api('/api/v1/notify/smtp'));
    expect(shown).toMatchObject({ configured: true, source: 'settings', host: '127.0.0.1', port: smtp.port, username: SMTP_USER, passwordSet: true, from: 'shop@example.com' });
    expect(JSON.stringify(shown)).not.toContain(SMTP_PASSWORD);

    const test = await json(t.api('/api/v1/notify/smtp/test', { method: 'POST', json: { to: 'me@example.com' } }));
    expect(test).toMatchObject({ sent: true, error: null });
    expect(test.response).toContain('250');
    const mail = await eventually(async () => smtp.messages.find((m) => m.subject === 'Tripline test email'), 'the test email');
    expect(mail).toMatchObject({ from: 'shop@example.com', to: ['me@example.com'] });
    expect(smtp.logins.at(-1)).toEqual({ username: SMTP_USER, password: SMTP_PASSWORD });

    const stored = await t.ctx.pool.query(
      `select (select count(*) from smtp_settings where password_encrypted like $1)::int as settings,
              (select count(*) from audit_log where coalesce(after::text, '') like $1)::int as audit`,
      [`%${SMTP_PASSWORD}%`],
    );
    expect(stored.rows[0]).toEqual({ settings: 0, audit: 0 });
  });

  it('refuses a From that is not an address, naming the field', async () => {
    const res = await t.api('/api/v1/notify/smtp', { method: 'PUT', json: { host: 'x', port: 25, security: 'none', from: 'not an address' } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('from');
  });
});

describe('email step', () => {
  it('sends the message rendered from the run, with a Message-ID from the run, node and iteration, and records the server\'s answer', async () => {
    const id = await publishWorkflow(t, 'Cancelled → tell the supplier', forCustomer('cus_mail', [emailStep()]));
    await sendEvents(t, cancelled('em-1', 'cus_mail', 'out of <stock>'));
    const run = await finishedRun(t, id, 'cus_mail');
    expect(run.status).toBe('succeeded');
    const [mail] = mailsFor('em-1');
    expect(mail).toMatchObject({
      from: 'shop@example.com',
      to: ['supplier@example.com', 'cus_mail@example.com'],
      cc: ['ops@example.com'],
      replyTo: 'orders@example.com',
      subject: 'Order em-1 cancelled',
    });
    expect(mail!.text.trim()).toBe('Order em-1 was cancelled: out of <stock>.');
    // Values in the HTML body are escaped, never markup.
    expect(mail!.html).toContain('<p>Order <b>em-1</b>: out of &lt;stock&gt;</p>');
    expect(mail!.envelopeTo.sort()).toEqual(['cus_mail@example.com', 'ops@example.com', 'supplier@example.com']);

    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'mail');
    expect(step.status).toBe('succeeded');
    expect(step.output).toMatchObject({ status: 'sent', attempts: 1, messageId: mail!.messageId, subject: 'Order em-1 cancelled' });
    expect(step.output.response).toContain('250');

    const record = await json(t.api(`/api/v1/notifications/${step.output.notificationId}`));
    expect(record).toMatchObject({ kind: 'email', origin: 'step', runId: run.id, status: 'sent', history: [{ attempt: 1, outcome: 'sent', responseCode: 250 }] });
    const leaks = await t.ctx.pool.query(
      `select count(*)::int as n from notifications n left join notification_attempts a on a.notification_id = n.id
       where n.message::text like $1 or coalesce(a.response, '') like $1 or coalesce(a.error, '') like $1 or coalesce(n.last_response, '') like $1`,
      [`%${SMTP_PASSWORD}%`],
    );
    expect(leaks.rows[0].n).toBe(0);
  });

  it('retries a 4xx answer and the step sends exactly one message', async () => {
    const id = await publishWorkflow(t, 'Greylisted', forCustomer('cus_grey', [emailStep({ subject: 'Greylist {{data.orderId}}' })]));
    const before = smtp.answers.length;
    smtp.refuseNext(2, 451);
    await sendEvents(t, cancelled('gl-1', 'cus_grey'));
    const run = await finishedRun(t, id, 'cus_grey');
    expect(run.status).toBe('succeeded');
    expect(smtp.answers.slice(before)).toEqual([451, 451, 250]);
    expect(mailsFor('gl-1')).toHaveLength(1);
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'mail');
    const record = await json(t.api(`/api/v1/notifications/${step.output.notificationId}`));
    expect(record.history.map((a: { outcome: string; responseCode: number }) => [a.outcome, a.responseCode])).toEqual([
      ['temporary', 451],
      ['temporary', 451],
      ['sent', 250],
    ]);
  });

  it('fails to the error output on a 5xx answer without retrying, and a retried run sends the message once', async () => {
    const graph = forCustomer('cus_bounce', [emailStep({ subject: 'Bounce {{data.orderId}}' }), { id: 'note', type: 'transform', config: { fields: { why: '{{error.message}}' } }, from: 'mail', handle: 'error' }]);
    const id = await publishWorkflow(t, 'Bounced', graph);
    const before = smtp.answers.length;
    smtp.refuseNext(1, 550, 'no such mailbox');
    await sendEvents(t, cancelled('bo-1', 'cus_bounce'));
    const run = await finishedRun(t, id, 'cus_bounce');
    expect(run.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'mail', 'note']);
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'mail');
    expect(step.status).toBe('failed');
    expect(step.error).toContain('550');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'note').output.why).toContain('no such mailbox');
    expect(smtp.answers.slice(before)).toEqual([550]);
    expect(mailsFor('bo-1')).toHaveLength(0);

    // The same failure with nothing on `error` fails the run; retrying it sends once.
    const strict = await publishWorkflow(t, 'Bounced, strict', forCustomer('cus_strict', [emailStep({ subject: 'Strict {{data.orderId}}' })]));
    smtp.refuseNext(1, 550);
    await sendEvents(t, cancelled('st-1', 'cus_strict'));
    const failed = await finishedRun(t, strict, 'cus_strict');
    expect(failed.status).toBe('failed');
    expect((await t.api(`/api/v1/runs/${failed.id}/retry`, { method: 'POST' })).status).toBe(200);
    const retried = await eventually(async () => {
      const r = await json(t.api(`/api/v1/runs/${failed.id}`));
      return r.status === 'succeeded' ? r : undefined;
    }, 'the retried run to succeed');
    expect(mailsFor('st-1')).toHaveLength(1);
    expect(retried.steps.find((s: { nodeId: string }) => s.nodeId === 'mail').output.messageId).toBe(mailsFor('st-1')[0]!.messageId);
  });

  it('shows the rendered message in a dry run and sends nothing', async () => {
    const id = await publishWorkflow(t, 'Dry', forCustomer('cus_dry', [emailStep({ subject: 'Dry {{data.orderId}}' })]));
    const before = smtp.answers.length;
    const res = await json(t.api(`/api/v1/workflows/${id}/test`, { method: 'POST', json: { event: { data: { orderId: 'dr-1', customerId: 'cus_dry', reason: 'test' } } } }));
    const step = res.steps.find((s: { nodeId: string }) => s.nodeId === 'mail');
    expect(step.output).toMatchObject({ dryRun: true, wouldSend: { to: ['supplier@example.com', 'cus_dry@example.com'], subject: 'Dry dr-1', text: 'Order dr-1 was cancelled: test.' } });
    expect(smtp.answers.length).toBe(before);
  });

  it('fails the step with a clear error past the recipient cap or on an address that is not one', async () => {
    const many = Array.from({ length: EMAIL_MAX_RECIPIENTS + 1 }, (_, i) => `r${i}@example.com`).join(', ');
    const id = await publishWorkflow(t, 'Too many', forCustomer('cus_many', [emailStep({ to: many, cc: undefined, subject: 'Many {{data.orderId}}' })]));
    await sendEvents(t, cancelled('mn-1', 'cus_many'));
    const run = await finishedRun(t, id, 'cus_many');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'mail').error).toContain(`at most ${EMAIL_MAX_RECIPIENTS}`);

    const bad = await publishWorkflow(t, 'Bad address', forCustomer('cus_badaddr', [emailStep({ to: '{{data.reason}}', subject: 'Bad {{data.orderId}}' })]));
    await sendEvents(t, cancelled('ba-1', 'cus_badaddr', 'nobody'));
    const badRun = await finishedRun(t, bad, 'cus_badaddr');
    expect(badRun.steps.find((s: { nodeId: string }) => s.nodeId === 'mail').error).toContain('"to" gave "nobody", which is not an email address');
    expect(mailsFor('mn-1').length + mailsFor('ba-1').length).toBe(0);
  });
});

describe('email templates', () => {
  it('"Low stock: email the supplier" emails the supplier on a real stock change', async () => {
    const template = workflowTemplates.find((w) => w.id === 'low-stock-email')!;
    const filled = instantiateTemplate(template, { 'email-supplier': 'restock@supplier.example' });
    await publishWorkflow(t, filled.name, filled.graph);
    await sendEvents(t, { type: 'product.stock_changed', data: { sku: 'MUG-RED', quantity: 25 } });
    await waitForIdle(t);
    await sendEvents(t, { type: 'product.stock_changed', data: { sku: 'MUG-RED', quantity: 4 } });
    const mail = await eventually(async () => smtp.messages.find((m) => m.subject === 'Restock MUG-RED: 4 left'), 'the supplier email');
    expect(mail.to).toEqual(['restock@supplier.example']);
    expect(mail.text).toContain('Stock of MUG-RED fell to 4 (below 10)');
  });
});

describe('retention', () => {
  it('prunes settled messages and their attempts with the rest of the history', async () => {
    const before = await t.ctx.pool.query(`select count(*)::int as n from notifications where status in ('sent', 'failed')`);
    expect(before.rows[0].n).toBeGreaterThan(0);
    await pruneOnce(t.ctx.pool, new Date(Date.now() + 4000 * 86_400_000));
    const after = await t.ctx.pool.query(`select (select count(*) from notifications)::int as n, (select count(*) from notification_attempts)::int as a`);
    expect(after.rows[0]).toEqual({ n: 0, a: 0 });
  });
});
