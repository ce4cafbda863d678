import { expect, test, type APIRequestContext } from '@playwright/test';
import { apiClient } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

let api: APIRequestContext;
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
});
test.afterAll(async () => {
  await api?.dispose();
});

test('the dashboard draws its three charts, and hovering a chart reads out the minute under the cursor', async ({ page }) => {
  const stamp = Date.now();
  const events = Array.from({ length: 5 }, (_, i) => ({
    type: 'order.created',
    data: { orderId: `e2e-dash-${stamp}-${i}`, customerId: `cus_e2e_dash_${i}`, status: 'pending', total: 12, currency: 'EUR', items: [{ sku: 'DASH-1', quantity: 1, price: 12 }] },
  }));
  expect((await api.post('/api/v1/events', { data: events })).status()).toBe(202);

  await login(page, undefined, '/dashboard');
  for (const name of ['Events per minute', 'Runs', 'Delivery attempts']) {
    await expect(page.getByRole('region', { name }).locator('canvas').first()).toBeVisible();
  }
  const events1h = page.getByRole('region', { name: 'Events per minute' });
  // The plot's right edge is the current minute, where the events just sent are counted (or the
  // minute before it, when the clock turned while the page loaded): one of the two reads them.
  const plot = events1h.locator('.u-over');
  const legend = events1h.locator('.u-legend');
  const box = (await plot.boundingBox())!;
  const countAt = async (dx: number) => {
    await page.mouse.move(box.x + box.width - dx, box.y + box.height / 2);
    return /events \/ min\s*[1-9]/.test((await legend.textContent()) ?? '');
  };
  await expect.poll(async () => (await countAt(2)) || (await countAt(2 + box.width / 60))).toBe(true);
});
