import { describe, expect, it } from 'vitest';
import { readPath, renderTemplate } from './template.ts';

const scope = { data: { customerId: 'cus_42', total: 129.9, items: [{ sku: 'TEE' }] } };

describe('templates', () => {
  it('keeps the type of a lone placeholder', () => {
    expect(renderTemplate('{{data.total}}', scope)).toBe(129.9);
  });
  it('interpolates text and array indexes', () => {
    expect(renderTemplate('Customer {{ data.customerId }} bought {{data.items[0].sku}}', scope)).toBe('Customer cus_42 bought TEE');
  });
  it('renders missing values as empty text', () => {
    expect(renderTemplate('x{{data.nope}}y', scope)).toBe('xy');
  });
  it('never reads through the prototype chain', () => {
    expect(readPath(scope, 'data.constructor')).toBeUndefined();
    expect(readPath(scope, '__proto__')).toBeUndefined();
    expect(readPath({}, 'toString')).toBeUndefined();
  });
});
