import type { EventEnvelope } from '@tripline/shared';
import type { Queryable } from '../../db/queryable.ts';
import { armThresholds, lockProducts, saveProducts, type ProductRow, type WatchedThreshold } from '../../db/state.ts';
import type { NewEvent } from '../store-events.ts';
import { derive } from './derived.ts';

interface StockChange {
  sku: string;
  quantity: number;
  category?: string;
}

type ThresholdKey = `${string}\u0000${number}\u0000${string}`;
const keyOf = (sku: string, threshold: number, direction: string): ThresholdKey => `${sku}\u0000${threshold}\u0000${direction}`;

/**
 * A batch's stock levels and threshold states, in memory, as CustomerBook keeps its
 * customers: locked and read with two statements before the batch's events are applied,
 * changed event by event without a round trip, written with one statement at the end. It
 * was five round trips per stock change (lock, save, watched thresholds, fired, set fired).
 *
 * Stale changes (older than the last applied one for the SKU) change nothing, so reordering
 * cannot fire a false crossing. Each watched (threshold, direction) is edge-triggered: it
 * fires once when the level crosses and re-arms when it crosses back. A child book holds one
 * event's changes until its savepoint is released (`absorb`).
 */
export class ProductBook {
  readonly #products = new Map<string, ProductRow | null>();
  readonly #fired = new Map<ThresholdKey, boolean>();
  readonly #dirtyProducts = new Set<string>();
  readonly #dirtyThresholds = new Set<ThresholdKey>();

  private constructor(
    private readonly watched: WatchedThreshold[],
    private readonly parent?: ProductBook,
  ) {}

  static empty(): ProductBook {
    return new ProductBook([]);
  }

  /** The products of a batch's stock changes, locked, with the thresholds they could cross armed and locked. */
  static async load(db: Queryable, events: readonly EventEnvelope[]): Promise<ProductBook> {
    const changes = events.filter((e) => e.type === 'product.stock_changed').map((e) => e.data as unknown as StockChange);
    if (changes.length === 0) return ProductBook.empty();
    const { products, watched } = await lockProducts(db, [...new Set(changes.map((c) => c.sku))]);
    const book = new ProductBook(watched);
    for (const c of changes) book.#products.set(c.sku, null);
    for (const p of products) book.#products.set(p.sku, p);
    // Every threshold a change of the batch could meet: its SKU's, under the category it has or gets.
    const keys = new Map<ThresholdKey, { sku: string; threshold: number; direction: string }>();
    for (const c of changes) {
      const categories = [c.category ?? null, book.#products.get(c.sku)?.category ?? null];
      for (const category of categories) {
        for (const w of book.#watchedFor(c.sku, category)) keys.set(keyOf(c.sku, w.threshold, w.direction), { sku: c.sku, ...w });
      }
    }
    for (const t of await armThresholds(db, [...keys.values()])) book.#fired.set(keyOf(t.sku, t.threshold, t.direction), t.fired);
    return book;
  }

  child(): ProductBook {
    return new ProductBook(this.watched, this);
  }

  absorb(child: ProductBook): void {
    for (const sku of child.#dirtyProducts) {
      this.#products.set(sku, child.#products.get(sku)!);
      this.#dirtyProducts.add(sku);
    }
    for (const key of child.#dirtyThresholds) {
      this.#fired.set(key, child.#fired.get(key)!);
      this.#dirtyThresholds.add(key);
    }
  }

  /** Whether the book holds this SKU (known, or known to have no state yet). */
  has(sku: string): boolean {
    return this.#products.has(sku) || (this.parent?.has(sku) ?? false);
  }

  /** The product as the lookup step shows it, with this batch's changes so far. */
  view(sku: string) {
    const p = this.#product(sku);
    return p ? { sku: p.sku, quantity: p.quantity, category: p.category, updatedAt: p.last_event_at.toISOString() } : null;
  }

  #product(sku: string): ProductRow | null | undefined {
    if (this.#products.has(sku)) return this.#products.get(sku);
    return this.parent ? this.parent.#product(sku) : undefined;
  }

  #firedNow(key: ThresholdKey): boolean | undefined {
    if (this.#fired.has(key)) return this.#fired.get(key);
    return this.parent ? this.parent.#firedNow(key) : undefined;
  }

  /** The distinct (threshold, direction) pairs watched for this SKU under this category. */
  #watchedFor(sku: string, category: string | null): { threshold: number; direction: 'below' | 'above' }[] {
    const seen = new Map<string, { threshold: number; direction: 'below' | 'above' }>();
    for (const w of this.watched) {
      if (w.sku !== '' && w.sku !== sku) continue;
      if (w.category !== '' && w.category !== category) continue;
      seen.set(`${w.threshold}:${w.direction}`, { threshold: w.threshold, direction: w.direction });
    }
    return [...seen.values()];
  }

  /** Applies a stock level; returns the threshold crossings it causes. */
  apply(event: EventEnvelope): NewEvent[] {
    const { sku, quantity, category } = event.data as unknown as StockChange;
    const prev = this.#product(sku);
    if (prev === undefined) throw new Error(`product ${sku} was not loaded for ${event.id}`);
    const occurredAt = new Date(event.occurredAt);
    if (prev && prev.last_event_at.getTime() > occurredAt.getTime()) return [];
    const effectiveCategory = category ?? prev?.category ?? null;
    this.#products.set(sku, { sku, quantity, category: effectiveCategory, last_event_at: occurredAt });
    this.#dirtyProducts.add(sku);
    const derived: NewEvent[] = [];
    for (const { threshold, direction } of this.#watchedFor(sku, effectiveCategory)) {
      const key = keyOf(sku, threshold, direction);
      const beyond = direction === 'below' ? quantity < threshold : quantity > threshold;
      const fired = this.#firedNow(key);
      if (fired === undefined) throw new Error(`threshold ${threshold} ${direction} of ${sku} was not armed for ${event.id}`);
      if (beyond === fired) continue;
      this.#fired.set(key, beyond);
      this.#dirtyThresholds.add(key);
      if (beyond) {
        derived.push(
          derive(event, `threshold:${direction}:${threshold}`, 'inventory.threshold_crossed', {
            sku,
            threshold,
            direction,
            previousQuantity: prev?.quantity ?? quantity,
            quantity,
            ...(effectiveCategory ? { category: effectiveCategory } : {}),
          }),
        );
      }
    }
    return derived;
  }

  /** Writes what the absorbed events changed; returns the statements it ran. */
  async flush(db: Queryable): Promise<number> {
    const products = [...this.#dirtyProducts].map((sku) => this.#products.get(sku)!).filter((p): p is ProductRow => p !== null);
    const fired = [...this.#dirtyThresholds].map((key) => {
      const [sku, threshold, direction] = key.split('\u0000');
      return { sku: sku!, threshold: Number(threshold), direction: direction!, fired: this.#fired.get(key)! };
    });
    this.#dirtyProducts.clear();
    this.#dirtyThresholds.clear();
    if (products.length === 0 && fired.length === 0) return 0;
    await saveProducts(db, products, fired);
    return 1;
  }
}
