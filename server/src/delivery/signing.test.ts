import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { filterPasses, subscriptionPatterns, webhookPayload } from './fan-out.ts';
import { generateSigningSecret, isSigningSecret, signatureHeader, signPayload } from './signing.ts';

describe('Standard Webhooks signing', () => {
  it('generates whsec_ secrets of 24 random bytes', () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(isSigningSecret(a)).toBe(true);
    expect(generateSigningSecret()).not.toBe(a);
    expect(isSigningSecret('whsec_c2hvcnQ=')).toBe(false);
  });

  it('matches the reference library byte for byte', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    const ts = 1614265330;
    expect(signPayload(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', ts, body)).toBe(
      new Webhook(secret).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(ts * 1000), body),
    );
  });

  it('a header with the new and the old signature verifies with either secret', () => {
    const [oldSecret, newSecret] = [generateSigningSecret(), generateSigningSecret()];
    const body = JSON.stringify({ id: 'evt_1', type: 'order.paid' });
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([newSecret, oldSecret], 'msg_1', ts, body) };
    expect(new Webhook(newSecret).verify(body, headers)).toEqual({ id: 'evt_1', type: 'order.paid' });
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual({ id: 'evt_1', type: 'order.paid' });
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers)).toThrow();
  });
});

describe('fan-out matching', () => {
  const envelope = {
    id: 'evt_1',
    type: 'order.paid' as const,
    occurredAt: '2026-11-28T10:00:00.000Z',
    receivedAt: '2026-11-28T10:00:00.100Z',
    source: 'api',
    causedBy: null,
    chain: [],
    subject: 'cus_1',
    data: { total: 120, currency: 'EUR' },
  };

  it('subscribes exact types, their family wildcard and *', () => {
    expect(subscriptionPatterns('order.fulfillment_updated')).toEqual(['order.fulfillment_updated', 'order.*', '*']);
  });

  it('evaluates filters over the envelope; a broken filter matches nothing', () => {
    expect(filterPasses(null, envelope)).toBe(true);
    expect(filterPasses({ '>=': [{ var: 'data.total' }, 100] }, envelope)).toBe(true);
    expect(filterPasses({ '==': [{ var: 'data.currency' }, 'USD'] }, envelope)).toBe(false);
    expect(filterPasses({ nope: [1] }, envelope)).toBe(false);
  });

  it('builds the body receivers get, with vars only for workflow steps', () => {
    expect(webhookPayload(envelope)).toEqual({
      id: 'evt_1', type: 'order.paid', timestamp: '2026-11-28T10:00:00.000Z', data: { total: 120, currency: 'EUR' },
      source: 'api', causedBy: null, chain: [], subject: 'cus_1',
    });
    expect(webhookPayload(envelope, { note: 'x' })).toMatchObject({ vars: { note: 'x' } });
  });
});
