import { expect, test } from '@playwright/test';
import { E2E_ADMIN } from '../../playwright.config.ts';
import { csrfToken, login } from '../support/login.ts';

const viewer = { email: `viewer-${Date.now()}@e2e.local`, password: 'viewer-password-123' };

test('an anonymous visitor is sent to the sign-in page, and a wrong password is explained', async ({ page }) => {
  await page.goto('/audit');
  await expect(page).toHaveURL(/\/login\?next=%2Faudit/);
  await page.getByLabel('Email').fill(E2E_ADMIN.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await page.getByLabel('Password').fill(E2E_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
});

test('an admin creates a viewer, who sees no write controls and whose API writes are refused; the audit log shows it', async ({ page, browser }) => {
  await login(page, E2E_ADMIN, '/users');
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await page.getByLabel('Email').fill(viewer.email);
  await page.getByLabel('Password').fill(viewer.password);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toContainText(`${viewer.email} can now sign in as viewer`);
  await expect(page.getByTestId('user-row').filter({ hasText: viewer.email })).toBeVisible();

  // An API key, shown once with a copy button.
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill('e2e ingest');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByTestId('new-api-key')).toHaveText(/^tl_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('new-api-key')).toHaveCount(0);
  await expect(page.getByTestId('api-key-row').filter({ hasText: 'e2e ingest' })).toBeVisible();

  // The viewer, in a browser of their own.
  const context = await browser.newContext();
  const viewerPage = await context.newPage();
  await login(viewerPage, viewer);
  const nav = viewerPage.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Audit log' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'API keys' })).toHaveCount(0);
  await viewerPage.goto('/users');
  await expect(viewerPage.getByText('Your role does not give access to users')).toBeVisible();
  await expect(viewerPage.getByRole('button', { name: 'Add user' })).toHaveCount(0);

  // Even with the right CSRF token, the server refuses the viewer's writes.
  const token = await csrfToken(viewerPage);
  const write = await viewerPage.request.post('/api/v1/users', {
    headers: { 'x-csrf-token': token },
    data: { email: 'sneaky@e2e.local', password: 'sneaky-password-1', role: 'admin' },
  });
  expect(write.status()).toBe(403);
  expect(((await write.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  const setting = await viewerPage.request.put('/api/v1/settings/retentionDays', { headers: { 'x-csrf-token': token }, data: { value: 1 } });
  expect(setting.status()).toBe(403);

  // The viewer can read the audit log, which shows the admin creating them, with the diff.
  await viewerPage.getByRole('link', { name: 'Audit log' }).click();
  await viewerPage.getByLabel('Action').selectOption('user.created'); // a picker now, not an exact-name text box (#16)
  await viewerPage.getByRole('button', { name: 'Filter' }).click();
  const row = viewerPage.getByTestId('audit-row').filter({ hasText: viewer.email });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(E2E_ADMIN.email);
  await expect(row).toContainText('role: viewer');
  const download = viewerPage.waitForEvent('download');
  await viewerPage.getByRole('link', { name: 'Export CSV' }).click();
  const csv = await (await download).path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p!, 'utf8')));
  expect(csv.split('\r\n')[0]).toBe('id,at,actor,actorId,ip,action,targetType,targetId,before,after');
  expect(csv).toContain(viewer.email);

  // Sign-out ends the session: the app goes back to the sign-in page.
  await viewerPage.getByRole('button', { name: 'Sign out' }).click();
  await expect(viewerPage).toHaveURL(/\/login/);
  expect((await viewerPage.request.get('/api/v1/auth/me')).status()).toBe(401);
  await context.close();
});

test('an admin resets the password of someone who forgot it', async ({ page, browser }) => {
  const forgetful = { email: 'forgetful@e2e.local', password: 'first-password-123' };
  await login(page, E2E_ADMIN, '/users');
  await page.getByLabel('Email').fill(forgetful.email);
  await page.getByLabel('Password').fill(forgetful.password);
  await page.getByRole('button', { name: 'Add user' }).click();
  const row = page.getByTestId('user-row').filter({ hasText: forgetful.email });
  await expect(row).toBeVisible();

  // The new password is typed in the row (no browser prompt), and the page says what followed.
  await row.getByRole('button', { name: 'Reset password' }).click();
  await row.getByLabel(`New password for ${forgetful.email}`).fill('second-password-456');
  await row.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'signed out everywhere' })).toBeVisible();

  const context = await browser.newContext();
  const theirPage = await context.newPage();
  await login(theirPage, { email: forgetful.email, password: 'second-password-456' });
  await context.close();
});

test('a delete is asked in the page, not in a browser dialog: Cancel keeps the user, "Yes, delete" removes them', async ({ page }) => {
  const leaving = { email: `leaving-${Date.now()}@e2e.local`, password: 'leaving-password-123' };
  await login(page, E2E_ADMIN, '/users');
  await page.getByLabel('Email').fill(leaving.email);
  await page.getByLabel('Password').fill(leaving.password);
  await page.getByRole('button', { name: 'Add user' }).click();
  const row = page.getByTestId('user-row').filter({ hasText: leaving.email });
  await expect(row).toBeVisible();
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs += 1;
    void d.dismiss();
  });

  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(row.getByRole('group', { name: /Delete .* They will be signed out/ })).toBeVisible();
  await row.getByRole('button', { name: 'Cancel' }).click();
  await expect(row.getByRole('button', { name: 'Delete' })).toBeVisible();

  await row.getByRole('button', { name: 'Delete' }).click();
  await row.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByTestId('user-row').filter({ hasText: leaving.email })).toHaveCount(0);
  expect(dialogs).toBe(0);
});
