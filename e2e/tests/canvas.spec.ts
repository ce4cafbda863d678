import { expect, test } from '@playwright/test';

test('the UI loads and shows the workflow canvas', async ({ page }) => {
  await page.goto('/workflows/new');
  await expect(page.getByTestId('workflow-canvas')).toBeVisible();
  await expect(page.locator('.react-flow__renderer')).toBeVisible();
});
