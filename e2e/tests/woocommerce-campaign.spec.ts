import { expect, test, type APIRequestContext } from '@playwright/test';
import { startWooEmulator, type WooEmulator } from '../../server/test/support/woocommerce-emulator.ts';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/** Issue 24 point 6 in the browser: a campaign's sale reaches the store and its prices come back. */
let api: APIRequestContext;
let emu: WooEmulator;
let sourceId: string;
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  emu = await startWooEmulator();
  sourceId = (await apiJson<{ id: string }>(api, 'post', '/sources', { kind: 'woocommerce', name: 'Hoodie shop', storeUrl: emu.url, ...emu.addKey('read_write') })).id;
});
test.afterAll(async () => {
  await api?.dispose();
  await emu?.close();
});

test('a marketer activates a sale campaign, sees the prices it set in the store, deactivates it and sees them put back', async ({ page }) => {
  const hoodie = emu.createProduct({ sku: 'HOODIE-S', regular_price: '60.00' }, { silent: true });
  const name = `Hoodie week ${Date.now()}`;
  await apiJson(api, 'post', '/campaigns', { name, kind: 'percent_off', storeEffects: { sourceId, sale: { skus: ['HOODIE-S'], percentOff: 20 } } });

  await login(page, undefined, '/campaigns');
  const row = page.getByTestId('campaign-row').filter({ hasText: name });
  await expect(row).toContainText('20 % off on 1 SKU(s)');
  await row.getByRole('button', { name: 'Activate', exact: true }).click();
  await row.getByRole('button', { name: `History of ${name}` }).click();
  const change = page.getByTestId('store-change');
  await expect(change).toHaveAttribute('data-status', 'applied', { timeout: 20_000 });
  await expect(change.getByTestId('store-change-text')).toHaveText('HOODIE-S → 48.00');
  expect(emu.get('products', hoodie.id)).toMatchObject({ sale_price: '48.00', on_sale: true });

  await row.getByRole('button', { name: 'Deactivate' }).click();
  await expect(change).toHaveAttribute('data-status', 'reverted', { timeout: 20_000 });
  await expect(change.getByTestId('store-change-text')).toContainText('put back: HOODIE-S (no sale)');
  await expect(change).toContainText('by admin@e2e.local');
  expect(emu.get('products', hoodie.id)).toMatchObject({ sale_price: '', price: '60.00', on_sale: false });
});
