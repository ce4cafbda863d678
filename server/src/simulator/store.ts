import type { EventInput } from '@tripline/shared';

/**
 * A small, believable shop: a catalogue with stock, returning customers, carts that turn
 * into orders (or are left behind), payments, shipping and the odd refund. Each call to
 * `next()` advances the story by one event, so orders are paid after they are created,
 * shipped after they are paid, and stock falls as orders come in. Pure apart from the
 * random source, so tests can seed it.
 */

interface Product {
  sku: string;
  name: string;
  category: string;
  price: number;
  stock: number;
}

interface Order {
  orderId: string;
  customerId: string;
  total: number;
  items: { sku: string; quantity: number; price: number; name: string }[];
  stage: 'created' | 'paid' | 'processing' | 'shipped' | 'delivered';
}

const CATALOGUE: Omit<Product, 'stock'>[] = [
  { sku: 'TEE-BLK-M', name: 'Black tee, M', category: 'apparel', price: 24.95 },
  { sku: 'TEE-WHT-L', name: 'White tee, L', category: 'apparel', price: 24.95 },
  { sku: 'HOODIE-GRY-L', name: 'Grey hoodie, L', category: 'apparel', price: 79.0 },
  { sku: 'CAP-NVY', name: 'Navy cap', category: 'accessories', price: 19.5 },
  { sku: 'MUG-LOGO', name: 'Logo mug', category: 'home', price: 12.0 },
  { sku: 'BEANIE-RED', name: 'Red beanie', category: 'accessories', price: 17.0 },
  { sku: 'SOCKS-3PK', name: 'Socks, 3-pack', category: 'apparel', price: 14.9 },
  { sku: 'TOTE-CANVAS', name: 'Canvas tote', category: 'accessories', price: 22.0 },
];

const FIRST = ['Ada', 'Bruno', 'Chloé', 'Dev', 'Elena', 'Farah', 'Goran', 'Hana', 'Ivo', 'Jun', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya'];
const LAST = ['Lovelace', 'Silva', 'Martin', 'Patel', 'Rossi', 'Haddad', 'Novak', 'Sato', 'Horvat', 'Kim', 'Mensah', 'Berg', 'García', 'Olsen', 'Aziz', 'Rao'];

export class StoreSimulator {
  readonly #random: () => number;
  readonly #products: Product[];
  readonly #customers: string[] = [];
  readonly #orders: Order[] = [];
  readonly #carts = new Map<string, { cartId: string; customerId: string; items: Order['items'] }>();
  #nextCustomer: number;
  #nextOrder: number;
  #nextCart = 1;

  constructor(options: { random?: () => number; seed?: number } = {}) {
    this.#random = options.random ?? (options.seed === undefined ? Math.random : mulberry32(options.seed));
    this.#products = CATALOGUE.map((p) => ({ ...p, stock: 20 + Math.floor(this.#random() * 60) }));
    // Offsets keep ids from different simulator runs apart, yet short and readable.
    this.#nextCustomer = 100 + Math.floor(this.#random() * 900);
    this.#nextOrder = 10_000 + Math.floor(this.#random() * 80_000);
  }

  /** The next event of the story. */
  next(): EventInput {
    const r = this.#random();
    if (this.#customers.length < 3 || r < 0.06) return this.#newCustomer();
    if (r < 0.3) return this.#cartUpdated();
    if (r < 0.5) return this.#orderCreated();
    if (r < 0.8 && this.#orders.length > 0) return this.#advanceOrder();
    if (r < 0.9) return this.#restock();
    if (r < 0.95 && this.#orders.some((o) => o.stage !== 'created')) return this.#refund();
    return this.#customerUpdated();
  }

  batch(n: number): EventInput[] {
    return Array.from({ length: n }, () => this.next());
  }

  #pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.#random() * list.length)]!;
  }

  #newCustomer(): EventInput {
    const customerId = `cus_${this.#nextCustomer++}`;
    this.#customers.push(customerId);
    const first = this.#pick(FIRST);
    const last = this.#pick(LAST);
    const email = `${first}.${last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '') + `${this.#nextCustomer}@example.com`;
    return { type: 'customer.created', data: { customerId, email, name: `${first} ${last}` } };
  }

  #customerUpdated(): EventInput {
    const customerId = this.#pick(this.#customers);
    return { type: 'customer.updated', data: { customerId, tags: this.#random() < 0.5 ? ['newsletter'] : [] } };
  }

  #items(): Order['items'] {
    const n = 1 + Math.floor(this.#random() * 3);
    const chosen = new Map<string, Order['items'][number]>();
    for (let i = 0; i < n; i++) {
      const p = this.#pick(this.#products);
      const line = chosen.get(p.sku) ?? { sku: p.sku, quantity: 0, price: p.price, name: p.name };
      line.quantity += 1 + (this.#random() < 0.2 ? 1 : 0);
      chosen.set(p.sku, line);
    }
    return [...chosen.values()];
  }

  #cartUpdated(): EventInput {
    const existing = [...this.#carts.values()];
    const cart =
      existing.length > 0 && this.#random() < 0.4
        ? existing[Math.floor(this.#random() * existing.length)]!
        : { cartId: `cart_${Date.now().toString(36)}_${this.#nextCart++}`, customerId: this.#pick(this.#customers), items: [] as Order['items'] };
    cart.items = [...cart.items, ...this.#items()].slice(0, 6);
    this.#carts.set(cart.cartId, cart);
    return { type: 'cart.updated', data: { cartId: cart.cartId, customerId: cart.customerId, total: total(cart.items), items: cart.items } };
  }

  #orderCreated(): EventInput {
    // Most orders check out an open cart; the rest are quick buys.
    const carts = [...this.#carts.values()];
    const cart = carts.length > 0 && this.#random() < 0.6 ? carts[Math.floor(this.#random() * carts.length)]! : undefined;
    if (cart) this.#carts.delete(cart.cartId);
    const items = cart?.items.length ? cart.items : this.#items();
    const order: Order = {
      orderId: String(this.#nextOrder++),
      customerId: cart?.customerId ?? this.#pick(this.#customers),
      total: total(items),
      items,
      stage: 'created',
    };
    for (const line of items) {
      const p = this.#products.find((x) => x.sku === line.sku)!;
      p.stock = Math.max(0, p.stock - line.quantity);
    }
    this.#orders.push(order);
    if (this.#orders.length > 200) this.#orders.shift();
    return { type: 'order.created', data: { orderId: order.orderId, customerId: order.customerId, status: 'pending', total: order.total, currency: 'EUR', items } };
  }

  #advanceOrder(): EventInput {
    const open = this.#orders.filter((o) => o.stage !== 'delivered');
    if (open.length === 0) return this.#orderCreated();
    const order = this.#pick(open);
    const base = { orderId: order.orderId, customerId: order.customerId };
    switch (order.stage) {
      case 'created':
        order.stage = 'paid';
        return { type: 'order.paid', data: { ...base, status: 'paid', total: order.total, currency: 'EUR', items: order.items } };
      case 'paid':
        order.stage = 'processing';
        return { type: 'order.fulfillment_updated', data: { ...base, status: 'processing' } };
      case 'processing':
        order.stage = 'shipped';
        return {
          type: 'order.fulfillment_updated',
          data: { ...base, status: 'shipped', carrier: this.#pick(['DHL', 'UPS', 'PostNL']), trackingNumber: `JD${Math.floor(this.#random() * 1e12)}` },
        };
      default:
        order.stage = 'delivered';
        return { type: 'order.fulfillment_updated', data: { ...base, status: 'delivered' } };
    }
  }

  #restock(): EventInput {
    // Low stock is restocked; otherwise a stock count correction, sometimes a sharp drop.
    const low = this.#products.filter((p) => p.stock < 12);
    const p = low.length > 0 && this.#random() < 0.6 ? this.#pick(low) : this.#pick(this.#products);
    if (p.stock < 12) p.stock += 30 + Math.floor(this.#random() * 40);
    else p.stock = Math.max(0, p.stock - Math.floor(this.#random() * 15));
    return { type: 'product.stock_changed', data: { sku: p.sku, quantity: p.stock, category: p.category, name: p.name } };
  }

  #refund(): EventInput {
    const paid = this.#orders.filter((o) => o.stage !== 'created');
    const order = this.#pick(paid);
    const line = this.#pick(order.items);
    return {
      type: 'order.refunded',
      data: { orderId: order.orderId, customerId: order.customerId, amount: line.price, currency: 'EUR', reason: this.#pick(['Wrong size', 'Damaged in transit', 'Changed mind']) },
    };
  }
}

function total(items: Order['items']): number {
  return Math.round(items.reduce((s, l) => s + l.price * l.quantity, 0) * 100) / 100;
}

/** A tiny seeded PRNG, so a test can replay the same story. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
