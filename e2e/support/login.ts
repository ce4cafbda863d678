import { expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../../playwright.config.ts';

/**
 * Signs in through the UI's sign-in page (the admin from TRIPLINE_ADMIN_EMAIL/PASSWORD by
 * default) and waits until the app shell is shown. Then `page.goto('/anything')` works.
 *
 *   import { login } from '../support/login.ts';
 *   test.beforeEach(async ({ page }) => login(page));
 */
export async function login(page: Page, who: { email: string; password: string } = E2E_ADMIN, next = '/'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** The session's CSRF token, for calls made with `page.request` (which shares the cookie). */
export async function csrfToken(page: Page): Promise<string> {
  const res = await page.request.get('/api/v1/auth/me');
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}
