import { expect, test } from '@playwright/test';
import { startWooEmulator, type WooEmulator } from '../../server/test/support/woocommerce-emulator.ts';
import { seedHistory } from '../../server/test/support/woocommerce-history.ts';
import { login } from '../support/login.ts';

/**
 * Issue #24 "done when": a store connects in one form, its history lands with the right
 * tiers (the import's progress bar runs to the end), and a customer known only from the
 * history is Gold on their customer page.
 */
let store: WooEmulator;
let goldId = 0;
test.beforeAll(async () => {
  // Ids far from other tests' customers: the e2e server's database is shared by all specs.
  store = await startWooEmulator({ idBase: 700_000 + (Date.now() % 100_000) * 10 });
  // Enough history for the bar to show progress: 3 customers of interest and 250 more.
  goldId = seedHistory(store, { silent: true, extraCustomers: 250 }).gold;
});
test.afterAll(async () => store?.close());

test('connect a store in one form, watch the history import finish, and open a customer who is Gold from history', async ({ page }) => {
  const keys = store.addKey('read_write');
  await login(page, undefined, '/sources');
  await page.getByLabel('Name').fill('Emulated shop');
  await page.getByLabel('Store URL').fill(store.url);
  await page.getByLabel('Consumer key').fill(keys.consumerKey);
  await page.getByLabel('Consumer secret').fill(keys.consumerSecret);
  await page.getByRole('button', { name: 'Connect store' }).click();

  await expect(page.getByTestId('source-connected')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: 'follow the import' }).click();
  await expect(page).toHaveURL(/\/sources\/src_/);

  // Tripline registered its webhooks in the store.
  await expect(page.getByTestId('webhook-row')).toHaveCount(6);
  expect([...store.webhooks.values()].every((w) => w.status === 'active')).toBe(true);

  const bar = page.getByTestId('backfill-progress');
  await expect(bar).toBeVisible();
  await expect(page.getByTestId('backfill-status')).toContainText('completed', { timeout: 120_000 });
  const max = await bar.getAttribute('max');
  expect(Number(max)).toBe(store.store.customers.size + store.store.orders.size + store.store.products.size);
  await expect(bar).toHaveAttribute('value', max!);
  await expect(page.getByTestId('backfill-count')).toHaveText(`${max} / ${max}`);

  // Grace bought 600 over the past year: Gold, from the history alone.
  await page.goto(`/customers/${goldId}`);
  await expect(page.getByRole('heading', { name: /Grace Gold/ })).toBeVisible();
  await expect(page.getByTestId('customer-tier')).toHaveText('gold');
  await expect(page.getByTestId('customer-ltv')).toHaveText('600.00');
  await expect(page.getByTestId('customer-orders')).toHaveText('3');
});
