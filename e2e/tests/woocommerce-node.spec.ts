import { expect, test } from '@playwright/test';
import { CanvasPage } from '../support/canvas-page.ts';
import { login } from '../support/login.ts';

/** Issue 24 point 5 on the canvas: the WooCommerce step is in the palette and its form follows its action. */
test.beforeEach(async ({ page }) => {
  await login(page, undefined, '/workflows');
});

test('a WooCommerce step from the palette shows the chosen action\'s fields and says what it writes', async ({ page }) => {
  const canvas = new CanvasPage(page);
  await page.getByRole('button', { name: 'New workflow' }).click();
  await expect(canvas.canvas).toBeVisible();
  await expect(page.getByRole('region', { name: 'Actions' }).getByTestId('palette-woocommerce')).toBeVisible();
  await canvas.dragFromPalette('trigger', 140, 200);
  await canvas.combobox(/^Event type/).selectOption('customer.ltv_tier_changed');
  await canvas.dragFromPalette('woocommerce', 460, 200);
  const node = canvas.node('woocommerce-1');
  await expect(node).toContainText('WooCommerce');
  await expect(node).toContainText('coupon 10 % → vars.coupon');

  // A coupon's fields, then an order note's once the action changes.
  await expect(canvas.combobox(/^Discount type/)).toHaveValue('percent');
  await expect(canvas.field(/^Expires in \(days\)/)).toHaveValue('14');
  await canvas.combobox(/^Action/).selectOption('add_order_note');
  await expect(canvas.combobox(/^Discount type/)).toHaveCount(0);
  await canvas.field(/^Order id/).fill('{{data.orderId}}');
  await canvas.field(/^Note/).fill('Welcome to gold');
  await expect(node).toContainText('note on order {{data.orderId}}');

  await canvas.combobox(/^Action/).selectOption('set_product_sale');
  await canvas.field(/^SKUs/).fill('TEE-S\nTEE-M');
  await canvas.field(/^Percent off/).fill('20');
  await expect(node).toContainText('sale on 2 SKU(s) −20 %');
});
