/**
 * Scenario: importing a WooCommerce store's history (issue 24, point 3). An emulated store
 * (the REST v3 emulator of the tests, in this process) holds 50,000 orders (5,000 with
 * --quick) of 10,000 customers over two years; Tripline (a child process, so its memory is
 * its own) is connected to it with REST keys and imports customers, orders and products.
 * Measured: orders imported per second (the orders phase) and items per second overall,
 * and the Tripline process's peak RSS.
 */
import { startWooEmulator } from '../../server/test/support/woocommerce-emulator.ts';
import { api, round, withDb, type BenchDeps } from '../lib/harness.ts';
import { peakRssMb } from '../lib/procs.ts';

export async function scenarioBackfill({ quick, say, freshDatabase, startTripline, report }: BenchDeps) {
  const orders = quick ? 5_000 : 50_000;
  const customers = Math.round(orders / 5);
  const store = await startWooEmulator();
  const DAY = 86_400_000;
  const start = Date.now() - 730 * DAY;
  const products = Array.from({ length: 50 }, (_, i) => store.createProduct({ name: `Product ${i}`, sku: `SKU-${i}`, manage_stock: true, stock_quantity: 100 + i }, { silent: true }));
  for (let i = 0; i < customers; i++) store.createCustomer({ email: `c${i}@example.com`, first_name: 'C', last_name: String(i), date_created_gmt: new Date(start + (i / customers) * 365 * DAY).toISOString().slice(0, 19) }, { silent: true });
  for (let i = 0; i < orders; i++) {
    const p = products[i % products.length]!;
    const status = i % 20 === 0 ? 'cancelled' : i % 7 === 0 ? 'processing' : 'completed';
    store.createOrder(
      { customer_id: 1 + (i % customers), status, line_items: [{ product_id: p.id, quantity: 1 + (i % 3), price: 15 + (i % 40) }], date_created_gmt: new Date(start + (i / orders) * 730 * DAY).toISOString().slice(0, 19) },
      { silent: true },
    );
  }
  say(`backfill: emulated store with ${orders} orders, ${customers} customers, ${products.length} products`);
  const url = await freshDatabase('backfill');
  const proc = await startTripline('backfill', url);
  try {
    const keys = store.addKey('read_write');
    const t0 = Date.now();
    const source = await api<{ id: string }>(proc, '/api/v1/sources', { kind: 'woocommerce', name: 'Bench store', storeUrl: store.url, ...keys });
    let ordersStartedAt: number | undefined;
    let ordersDoneAt: number | undefined;
    let detail: any;
    for (;;) {
      detail = await api(proc, `/api/v1/sources/${source.id}`);
      const b = detail.backfill;
      if (b.phase === 'orders' && ordersStartedAt === undefined) ordersStartedAt = Date.now();
      if (b.phase === 'products' && ordersDoneAt === undefined) ordersDoneAt = Date.now();
      if (b.status === 'completed' || b.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (Date.now() - t0) / 1000;
    ordersDoneAt ??= Date.now();
    const ordersSeconds = (ordersDoneAt - (ordersStartedAt ?? t0)) / 1000;
    const facts = await withDb(url, async (c) => ({
      customers: (await c.query(`select count(*)::int as n from customer_state`)).rows[0].n as number,
      paid: (await c.query(`select count(*)::int as n from order_ledger`)).rows[0].n as number,
      runs: (await c.query(`select count(*)::int as n from runs`)).rows[0].n as number,
    }));
    const results = {
      status: detail.backfill.status,
      error: detail.backfill.error,
      items: detail.backfill.done,
      seconds: round(seconds, 1),
      ordersPerSecond: round(orders / ordersSeconds, 0),
      itemsPerSecond: round(detail.backfill.done / seconds, 0),
      customersWithState: facts.customers,
      paidOrdersCounted: facts.paid,
      runsStarted: facts.runs,
      storeRequests: store.requests.length,
    };
    say(`backfill: ${JSON.stringify(results)}`);
    report({
      key: 'backfill',
      name: 'Backfill: importing an emulated WooCommerce store (REST v3, 100 per page, 2 pages in flight)',
      parameters: { orders, customers, products: products.length, perPage: 100 },
      results,
      peakRssMb: { tripline: proc.peakRss(), benchProcessWithEmulator: peakRssMb(process.pid) },
    });
  } finally {
    await proc.stop();
    await store.close();
  }
}
