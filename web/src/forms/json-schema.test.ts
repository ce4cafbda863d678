import { nodeDefinitions } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { formFields, jsonSchemaOf, parseNumberInput, withField } from './json-schema.ts';

// The inspector's widget formats (canvas/inspector.tsx).
const widgets = new Set(['json-logic', 'endpoint-id', 'campaign-id', 'switch-cases', 'list-expression', 'code', 'credential-name', 'source-id', 'duration-seconds', 'segment']);
const kinds = (type: keyof typeof nodeDefinitions, values: Record<string, unknown> = {}) =>
  Object.fromEntries(formFields(jsonSchemaOf(nodeDefinitions[type].configSchema), widgets, values).map((f) => [f.name, f.kind]));

describe('forms generated from node config schemas', () => {
  it('picks a control per field from the schema alone', () => {
    expect(kinds('trigger', { eventType: 'inventory.threshold_crossed' })).toEqual({ eventType: 'enum', filter: 'widget', threshold: 'integer', direction: 'enum', sku: 'string', category: 'string' });
    expect(kinds('condition')).toEqual({ rule: 'widget' });
    expect(kinds('webhook')).toEqual({ endpointId: 'widget' });
    expect(kinds('campaign')).toEqual({ campaignId: 'widget', action: 'enum', durationSeconds: 'widget', segment: 'widget', target: 'enum' });
    expect(kinds('transform')).toEqual({ fields: 'record' });
    expect(kinds('delay')).toEqual({ seconds: 'widget', until: 'string' });
    expect(kinds('switch')).toEqual({ cases: 'widget' });
    expect(kinds('for_each')).toEqual({ items: 'widget', maxItems: 'integer' });
    expect(kinds('lookup')).toEqual({ entity: 'enum', key: 'string', saveAs: 'string' });
    expect(kinds('code')).toEqual({ source: 'widget', saveAs: 'string', timeoutMs: 'integer', memoryMb: 'integer' });
    expect(kinds('http_request')).toMatchObject({ method: 'enum', url: 'string', headers: 'record', body: 'string', credential: 'widget', saveAs: 'string' });
    expect(kinds('wait_for_event')).toEqual({ eventType: 'enum', match: 'widget', timeoutSeconds: 'widget' });
  });

  it('a node whose config is a union by action shows the chosen action\'s fields (woocommerce)', () => {
    expect(kinds('woocommerce')).toEqual({
      sourceId: 'widget',
      action: 'enum',
      discountType: 'enum',
      amount: 'number',
      expiresInDays: 'integer',
      code: 'string',
      emailRestriction: 'string',
      usageLimitPerUser: 'integer',
      productSkus: 'list',
      minimumAmount: 'number',
      saveAs: 'string',
    });
    expect(kinds('woocommerce', { action: 'set_product_sale' })).toEqual({ sourceId: 'widget', action: 'enum', skus: 'list', salePrice: 'number', percentOff: 'number', from: 'string', to: 'string', saveAs: 'string' });
    const action = formFields(jsonSchemaOf(nodeDefinitions.woocommerce.configSchema), widgets, { action: 'add_order_note' }).find((f) => f.name === 'action')!;
    expect(action.schema.enum).toEqual(['create_coupon', 'add_order_note', 'update_order_status', 'update_customer_meta', 'set_product_sale']);
    expect(action.required).toBe(true);
  });

  it('every node type gets a form without hand-written code', () => {
    for (const def of Object.values(nodeDefinitions)) {
      for (const f of formFields(jsonSchemaOf(def.configSchema), widgets)) expect(f.kind).not.toBe('json');
    }
  });

  it('uses titles from meta and knows what is required', () => {
    const [campaign, action, duration] = formFields(jsonSchemaOf(nodeDefinitions.campaign.configSchema), widgets);
    expect(campaign).toMatchObject({ label: 'Campaign', required: true });
    expect(action).toMatchObject({ label: 'Action', required: true });
    expect(duration).toMatchObject({ label: 'For', required: false });
  });

  it('falls back to JSON for a special format without a widget', () => {
    expect(formFields(jsonSchemaOf(nodeDefinitions.condition.configSchema))[0]!.kind).toBe('json');
  });

  it('parses number inputs: empty unsets, junk keeps the old value, integers truncate', () => {
    expect(parseNumberInput('', true, 5)).toBeUndefined();
    expect(parseNumberInput('12.7', true, 5)).toBe(12);
    expect(parseNumberInput('12.7', false, 5)).toBe(12.7);
    expect(parseNumberInput('abc', true, 5)).toBe(5);
  });

  it('sets and removes fields without touching the rest', () => {
    expect(withField({ a: 1, b: 2 }, 'a', undefined)).toEqual({ b: 2 });
    expect(withField({ a: 1 }, 'b', 'x')).toEqual({ a: 1, b: 'x' });
  });
});

describe('fields that depend on another field', () => {
  it('shows threshold fields only for an inventory trigger, and never hides a value that is set', () => {
    const schema = jsonSchemaOf(nodeDefinitions.trigger.configSchema);
    const names = (values: Record<string, unknown>) => formFields(schema, new Set(), values).map((f) => f.name);
    expect(names({ eventType: 'order.created' })).toEqual(['eventType', 'filter']);
    expect(names({ eventType: 'inventory.threshold_crossed' })).toEqual(['eventType', 'filter', 'threshold', 'direction', 'sku', 'category']);
    expect(names({ eventType: 'order.created', sku: 'TEE' })).toEqual(['eventType', 'filter', 'sku']);
  });
});
