import { describe, expect, it } from 'vitest';
import { fieldName, formErrors, plainApiMessage, plainMessage, problemMessage } from './messages.ts';

describe('messages for people (walkthrough #16, point 7)', () => {
  it('turns zod wording into plain words, with units where the field has them', () => {
    expect(plainMessage('Too big: expected number to be <=3650', { one: 'day', many: 'days' })).toBe('at most 3,650 days');
    expect(plainMessage('Invalid input: expected string, received undefined')).toBe('required');
    expect(plainMessage('Invalid option: expected one of "below"|"above"')).toBe('choose one of below, above');
    expect(plainMessage('choose an endpoint')).toBe('choose an endpoint');
  });
  it('names fields as people do and never shows a code or a schema path', () => {
    expect(fieldName('endpointId')).toBe('endpoint');
    expect(fieldName('data.items.0.unitPrice')).toBe('unit price');
    expect(problemMessage({ field: 'endpointId', message: 'Invalid input: expected string, received undefined' })).toBe('endpoint is required');
    expect(plainApiMessage('body is invalid: url: Invalid URL')).toBe('url: enter a full URL, like https://example.com/hook');
    const split = formErrors({ code: 'validation_failed', message: 'body is invalid: …', details: [{ path: 'url', message: 'Invalid URL' }] }, ['url']);
    expect([...split.byField]).toEqual([['url', 'enter a full URL, like https://example.com/hook']]);
    expect(split.general).toBeUndefined();
  });
});
