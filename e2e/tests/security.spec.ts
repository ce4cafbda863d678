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

// Issue 23, item 3: a key acts with the lesser of its scope and its owner's current role;
// the API keys page says when a key is limited by its owner's role.
test("the API keys page says when a key is limited by its owner's role", async ({ page, baseURL }) => {
  const admin = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${E2E_API_KEY}` } });
  const owner = { email: `demoted-${Date.now()}@e2e.local`, password: 'demoted-password-123' };
  const created = await admin.post('/api/v1/users', { data: { ...owner, role: 'admin' } });
  const ownerId = ((await created.json()) as { id: string }).id;
  const ownerApi = await playwrightRequest.newContext({ baseURL });
  const signedIn = await ownerApi.post('/api/v1/auth/login', { data: owner });
  const csrf = ((await signedIn.json()) as { csrfToken: string }).csrfToken;
  expect((await ownerApi.post('/api/v1/api-keys', { data: { name: 'demoted script', scope: 'admin' }, headers: { 'x-csrf-token': csrf } })).status()).toBe(201);
  expect((await admin.put(`/api/v1/users/${ownerId}`, { data: { role: 'editor' } })).status()).toBe(200);

  await login(page, undefined, '/api-keys');
  const row = page.getByTestId('api-key-row').filter({ hasText: 'demoted script' });
  await expect(row.getByTestId('api-key-limited')).toHaveText("Limited by its owner's role (editor): it does only what both allow");
  await admin.dispose();
  await ownerApi.dispose();
});

// Issue 23, item 2: a credential is stored with the origins it may be sent to.
test('the credentials page stores a credential with its origins and shows them', async ({ page }) => {
  await login(page, undefined, '/credentials');
  const name = `e2e_token_${Date.now()}`;
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Value').fill('Bearer e2e-secret-value-0123456789');
  await page.getByLabel('Sent only to (origins)').fill('https://API.example.com, https://hooks.example.org:8443');
  await page.getByRole('button', { name: 'Save credential' }).click();
  const row = page.getByTestId('credential-row').filter({ hasText: name });
  await expect(row).toContainText('https://api.example.com');
  await expect(row).toContainText('https://hooks.example.org:8443');
  await expect(row).not.toContainText('e2e-secret-value');
});
