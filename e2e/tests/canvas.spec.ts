import { expect, test } from '@playwright/test';
import { login } from '../support/login.ts';

test('a signed-in user sees the workflow canvas', async ({ page }) => {
  await login(page);
  await page.goto('/workflows/new');
  await expect(page.locator('.react-flow__renderer')).toBeVisible();
});

test('an anonymous visitor is sent to the sign-in page', async ({ page }) => {
  await page.goto('/workflows');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByLabel('Email')).toBeVisible();
});
