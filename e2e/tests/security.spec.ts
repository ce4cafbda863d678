import { expect, request as playwrightRequest, test } from '@playwright/test';
import { E2E_API_KEY } from '../../playwright.config.ts';
import { login } from '../support/login.ts';

// Issue 13, item 7: a key acts for its maker; the API keys page says so and marks the keys
// of a disabled maker, which stop working at once.
test('the API keys page marks the keys of a disabled maker, and those keys stop working', async ({ page, baseURL }) => {
  const admin = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${E2E_API_KEY}` } });
  const maker = { email: `maker-${Date.now()}@e2e.local`, password: 'maker-password-123' };
  const created = await admin.post('/api/v1/users', { data: { ...maker, role: 'admin' } });
  expect(created.status()).toBe(201);
  const makerId = ((await created.json()) as { id: string }).id;

  await login(page, maker, '/api-keys');
  await expect(page.getByText('when that person is disabled or deleted, their keys stop working at once')).toBeVisible();
  await page.getByLabel('Name').fill('maker script');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!.trim();
  await page.getByRole('button', { name: 'Done' }).click();
  const withKey = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
  const send = async () => (await withKey.post('/api/v1/events', { data: { type: 'customer.created', data: { customerId: 'cus_e2e_maker' } } })).status();
  expect(await send()).toBe(202); // a new key is ingest-scoped

  expect((await admin.put(`/api/v1/users/${makerId}`, { data: { disabled: true } })).status()).toBe(200);
  expect(await send()).toBe(401);

  const adminPage = await page.context().browser()!.newPage();
  await login(adminPage, undefined, '/api-keys');
  const row = adminPage.getByTestId('api-key-row').filter({ hasText: 'maker script' });
  await expect(row.getByTestId('api-key-owner-inactive')).toHaveText('Not working: its maker is disabled or deleted');
  await admin.dispose();
  await withKey.dispose();
});
