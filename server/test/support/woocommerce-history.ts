import type { WooEmulator } from './woocommerce-emulator.ts';

/**
 * A store's past, made the same way every time (ids follow the emulator's counters): the
 * same calls on two emulators give two identical stores. `silent` makes it history (no
 * webhook fires); without it every change is delivered live as it is made.
 *
 * Customer 1 ("Grace Gold") spends 3 × 200 = 600 over the past year: Gold (500+).
 * Customer 2 spends 250 and gets 100 back: 150, bronze. Customer 3 has one pending and
 * one cancelled order: nothing counted. A guest buys once by billing email. Two products
 * with managed stock.
 */
export interface HistoryOptions {
  silent?: boolean;
  /** Extra registered customers, each with one paid order of 20 (bench and paging tests). */
  extraCustomers?: number;
  /** "Now" the history is relative to: give two stores the same one to make them identical. */
  now?: number;
}

const DAY = 86_400_000;
const agoFrom = (days: number, now: number) => new Date(now - days * DAY).toISOString().slice(0, 19);

export function seedHistory(store: WooEmulator, opts: HistoryOptions = {}): { gold: number; bronzeRefunded: number; idle: number } {
  const silent = opts.silent ?? true;
  const o = { silent };
  const now = opts.now ?? Date.now();
  const ago = (days: number) => agoFrom(days, now);
  const tee = store.createProduct({ name: 'Tee', sku: 'TEE-1', regular_price: '25.00', manage_stock: true, stock_quantity: 40, categories: [{ id: 9, name: 'Clothing', slug: 'clothing' }], date_created_gmt: ago(400) }, o);
  const mug = store.createProduct({ name: 'Mug', sku: 'MUG-1', regular_price: '12.00', manage_stock: true, stock_quantity: 3, date_created_gmt: ago(400) }, o);

  const gold = store.createCustomer({ email: 'grace@example.com', first_name: 'Grace', last_name: 'Gold', date_created_gmt: ago(370) }, o);
  const refunded = store.createCustomer({ email: 'bob@example.com', first_name: 'Bob', last_name: 'Bronze', date_created_gmt: ago(300) }, o);
  const idle = store.createCustomer({ email: 'ida@example.com', first_name: 'Ida', last_name: 'Idle', date_created_gmt: ago(200) }, o);

  for (const [days, qty] of [[360, 8], [180, 4], [20, 4]] as const) {
    store.createOrder({ customer_id: gold.id, status: 'completed', line_items: [{ product_id: tee.id, quantity: qty, price: 200 / qty }], date_created_gmt: ago(days) }, o);
  }
  const big = store.createOrder({ customer_id: refunded.id, status: 'processing', line_items: [{ product_id: mug.id, quantity: 1, price: 250 }], date_created_gmt: ago(90) }, o);
  store.refundOrder(big.id, 100, 'Damaged', o);
  store.createOrder({ customer_id: idle.id, status: 'pending', line_items: [{ product_id: mug.id, quantity: 1, price: 12 }], date_created_gmt: ago(30) }, o);
  store.createOrder({ customer_id: idle.id, status: 'cancelled', line_items: [{ product_id: mug.id, quantity: 2, price: 12 }], date_created_gmt: ago(25) }, o);
  store.createOrder({ customer_id: 0, status: 'completed', billing: { email: 'guest@example.com', first_name: 'Gus' }, line_items: [{ product_id: tee.id, quantity: 1, price: 25 }], date_created_gmt: ago(10) }, o);
  store.updateProduct(mug.id, { stock_quantity: 2, date_modified_gmt: ago(5) }, o);

  for (let i = 0; i < (opts.extraCustomers ?? 0); i++) {
    const c = store.createCustomer({ email: `extra${i}@example.com`, first_name: 'Extra', last_name: String(i), date_created_gmt: ago(100) }, o);
    store.createOrder({ customer_id: c.id, status: 'completed', line_items: [{ product_id: tee.id, quantity: 1, price: 20 }], date_created_gmt: ago(50 + (i % 40)) }, o);
  }
  return { gold: gold.id, bronzeRefunded: refunded.id, idle: idle.id };
}
