import { describe, expect, it } from 'vitest';
import { renderEmail } from './email.ts';

const scope = { data: { orderId: 'A-1', note: '<script>x</script>', buyer: 'b@example.com', evil: 'Hi\r\nBcc: all@example.com' } };
const base = { to: 'ops@example.com, {{data.buyer}}', subject: 'Order {{data.orderId}}', text: 'Note: {{data.note}}' };

describe('renderEmail', () => {
  it('renders addresses, subject and bodies from the run scope, escaping values in HTML only', () => {
    const r = renderEmail({ ...base, html: '<p>{{data.note}}</p>' }, scope);
    expect(r).toEqual({
      ok: true,
      message: { to: ['ops@example.com', 'b@example.com'], cc: [], replyTo: null, subject: 'Order A-1', text: 'Note: <script>x</script>', html: '<p>&lt;script&gt;x&lt;/script&gt;</p>' },
    });
  });

  it('keeps a subject on one line whatever the data holds (no header injection)', () => {
    const r = renderEmail({ ...base, subject: '{{data.evil}}' }, scope);
    expect(r.ok && r.message.subject).toBe('Hi Bcc: all@example.com');
  });

  it('refuses what is not an address, with the field and the value', () => {
    expect(renderEmail({ ...base, to: '{{data.orderId}}' }, scope)).toEqual({ ok: false, error: '"to" gave "A-1", which is not an email address' });
    expect(renderEmail({ ...base, to: '{{data.missing}}' }, scope)).toEqual({ ok: false, error: '"to" gave no address' });
    expect(renderEmail({ ...base, replyTo: 'nobody' }, scope)).toMatchObject({ ok: false, error: expect.stringContaining('"replyTo"') });
  });
});
