import { z } from 'zod';
import { defineNode, text } from './define.ts';
import { saveAsField, templateField } from './fields.ts';

/** WooCommerce's batch endpoints take at most 100 objects a call (its REST API docs). */
export const WOO_BATCH_LIMIT = 100;
/** SKUs one set_product_sale step may touch: ten batch calls. */
export const WOO_SALE_SKU_LIMIT = 1000;

/** Order statuses WooCommerce knows (REST v3 `status`, without the `wc-` prefix). */
export const wooOrderStatuses = ['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed'] as const;
export const wooDiscountTypes = ['percent', 'fixed_cart', 'fixed_product'] as const;

const sourceId = z.string().min(1, 'choose a store').max(100).meta({ title: 'Store', description: 'a connected WooCommerce source', format: 'source-id' });
const optionalSaveAs = saveAsField.optional();
const required = (max: number, message: string) => templateField(max).min(1, message);
/** A date for WooCommerce (ISO 8601) or a template that renders one. */
const dateTemplate = (title: string) => templateField(200).optional().meta({ title, description: 'ISO 8601 date or {{template}}' });

export const createCouponConfig = z
  .object({
    sourceId,
    action: z.literal('create_coupon').meta({ title: 'Action' }),
    discountType: z.enum(wooDiscountTypes).meta({ title: 'Discount type' }),
    amount: z.number().positive('a discount above 0').max(1_000_000).meta({ title: 'Amount', description: 'percent, or money in the store currency' }),
    expiresInDays: z.number().int().min(1).max(3650).meta({ title: 'Expires in (days)' }),
    code: templateField(100).optional().meta({ title: 'Code', description: 'a {{template}}; generated when empty' }),
    emailRestriction: templateField(500).optional().meta({ title: 'Only for email', description: "a {{template}}; default the customer's email" }),
    usageLimitPerUser: z.number().int().min(1).max(1000).optional().meta({ title: 'Uses per customer', description: 'default 1' }),
    productSkus: z.array(z.string().min(1).max(200)).max(WOO_BATCH_LIMIT).optional().meta({ title: 'Only for SKUs' }),
    minimumAmount: z.number().nonnegative().optional().meta({ title: 'Minimum spend' }),
    saveAs: saveAsField,
  })
  .refine((c) => c.discountType !== 'percent' || c.amount <= 100, { path: ['amount'], message: 'a percent discount is at most 100' });

export const addOrderNoteConfig = z.object({
  sourceId,
  action: z.literal('add_order_note').meta({ title: 'Action' }),
  orderId: required(200, 'enter the order id, e.g. {{data.orderId}}').meta({ title: 'Order id' }),
  note: required(5000, 'write the note').meta({ title: 'Note', description: '{{templates}} allowed' }),
  customerNote: z.boolean().optional().meta({ title: 'Send to the customer', description: 'a customer note is emailed to them by WooCommerce' }),
  saveAs: optionalSaveAs,
});

export const updateOrderStatusConfig = z.object({
  sourceId,
  action: z.literal('update_order_status').meta({ title: 'Action' }),
  orderId: required(200, 'enter the order id, e.g. {{data.orderId}}').meta({ title: 'Order id' }),
  status: z.enum(wooOrderStatuses).meta({ title: 'New status' }),
  saveAs: optionalSaveAs,
});

export const updateCustomerMetaConfig = z.object({
  sourceId,
  action: z.literal('update_customer_meta').meta({ title: 'Action' }),
  customerId: required(200, 'enter the customer id, e.g. {{data.customerId}}').meta({ title: 'Customer id' }),
  key: required(200, 'enter the meta key').meta({ title: 'Meta key' }),
  value: templateField(5000).meta({ title: 'Value', description: '{{templates}} allowed' }),
  saveAs: optionalSaveAs,
});

export const setProductSaleConfig = z
  .object({
    sourceId,
    action: z.literal('set_product_sale').meta({ title: 'Action' }),
    skus: z.array(templateField(200).min(1)).min(1, 'list at least one SKU').max(WOO_SALE_SKU_LIMIT).meta({ title: 'SKUs', description: '{{templates}} allowed' }),
    salePrice: z.number().nonnegative().optional().meta({ title: 'Sale price' }),
    percentOff: z.number().gt(0).lt(100).optional().meta({ title: 'Percent off', description: 'of each regular price' }),
    from: dateTemplate('On sale from'),
    to: dateTemplate('On sale until'),
    saveAs: optionalSaveAs,
  })
  .refine((c) => (c.salePrice === undefined) !== (c.percentOff === undefined), { path: ['salePrice'], message: 'give either a sale price or a percent off (one of them)' });

export const woocommerceActions = ['create_coupon', 'add_order_note', 'update_order_status', 'update_customer_meta', 'set_product_sale'] as const;
export type WooAction = (typeof woocommerceActions)[number];

export const woocommerceConfig = z.discriminatedUnion('action', [createCouponConfig, addOrderNoteConfig, updateOrderStatusConfig, updateCustomerMetaConfig, setProductSaleConfig]);
export type WooCommerceConfig = z.infer<typeof woocommerceConfig>;

const describe: Record<WooAction, (c: Record<string, unknown>) => string> = {
  create_coupon: (c) => `coupon ${typeof c.amount === 'number' ? c.amount : '?'}${c.discountType === 'percent' ? ' %' : ''} → vars.${text(c.saveAs, '?')}`,
  add_order_note: (c) => `note on order ${text(c.orderId, '?')}`,
  update_order_status: (c) => `order ${text(c.orderId, '?')} → ${text(c.status, '?')}`,
  update_customer_meta: (c) => `customer ${text(c.customerId, '?')}: ${text(c.key, '?')}`,
  set_product_sale: (c) => `sale on ${Array.isArray(c.skus) ? c.skus.length : 0} SKU(s)${typeof c.percentOff === 'number' ? ` −${c.percentOff} %` : ''}`,
};

export const woocommerceNode = defineNode({
  type: 'woocommerce',
  displayName: 'WooCommerce',
  category: 'action',
  description:
    'Writes to a connected WooCommerce store: a personal coupon, an order note or status, customer meta, a sale price. Each write happens once per run and step (retries and re-runs find what they made); `error` after the last retry.',
  configSchema: woocommerceConfig,
  defaults: { sourceId: '', action: 'create_coupon', discountType: 'percent', amount: 10, expiresInDays: 14, saveAs: 'coupon' },
  inputs: ['in'],
  outputs: ['out', 'error'],
  summary(config) {
    const action = config.action as WooAction | undefined;
    return action && Object.hasOwn(describe, action) ? describe[action](config as Record<string, unknown>) : 'choose an action';
  },
});
