import { describe, expect, it } from 'vitest';
import { inboxUrl, isInboxUrl } from './inbox.ts';

describe('isInboxUrl', () => {
  const id = 'inb_' + 'a'.repeat(32);
  const self = 'http://localhost:3000';

  it('recognises this Tripline’s own inbox URLs', () => {
    expect(isInboxUrl(inboxUrl(self, id), self)).toBe(id);
    expect(isInboxUrl(inboxUrl(self + '/', id), self)).toBe(id);
  });

  it('refuses other origins, other paths and decorated URLs', () => {
    expect(isInboxUrl(`http://127.0.0.1:3000/api/v1/inbox/${id}`, self)).toBeNull();
    expect(isInboxUrl(`http://localhost:3001/api/v1/inbox/${id}`, self)).toBeNull();
    expect(isInboxUrl(`http://localhost:3000/api/v1/events`, self)).toBeNull();
    expect(isInboxUrl(`http://localhost:3000/api/v1/inbox/${id}?x=1`, self)).toBeNull();
    expect(isInboxUrl(`http://localhost:3000/api/v1/inbox/inb_short`, self)).toBeNull();
    expect(isInboxUrl('not a url', self)).toBeNull();
  });
});
