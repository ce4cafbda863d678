import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { E2E_API_KEY } from '../../playwright.config.ts';
import { startSmtpServer, type TestSmtpServer } from '../../server/test/support/smtp-server.ts';
import { CanvasPage } from '../support/canvas-page.ts';
import { login } from '../support/login.ts';

/**
 * As an ops lead meets email: set up SMTP in Settings and send a test email, build "low
 * stock → email the supplier" from its template, publish, and get the email on a real
 * stock change, at an SMTP server this test runs on loopback.
 */
let smtp: TestSmtpServer;
let admin: APIRequestContext;

test.use({ viewport: { width: 1600, height: 950 } });

test.beforeAll(async ({ baseURL }) => {
  smtp = await startSmtpServer();
  admin = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${E2E_API_KEY}` } });
});
test.afterAll(async () => {
  await admin?.dispose();
  await smtp?.close();
});

test('SMTP set up in Settings, a test email, then the supplier template emails on a real stock change', async ({ page }) => {
  await login(page, undefined, '/settings');
  const email = page.getByRole('region', { name: 'Email' });
  await expect(email.getByTestId('smtp-status')).toHaveText('No SMTP server yet: emails cannot be sent.');
  await email.getByLabel('SMTP server').fill('127.0.0.1');
  await email.getByLabel('SMTP port').fill(String(smtp.port));
  await email.getByLabel('SMTP security').selectOption('none');
  await email.getByLabel('From address').fill('shop@example.com');
  await email.getByRole('button', { name: 'Save SMTP server' }).click();
  await expect(email.getByTestId('smtp-status')).toHaveText(`Using 127.0.0.1:${smtp.port} (saved here), from shop@example.com.`);

  await email.getByLabel('Test email address').fill('lead@example.com');
  await email.getByRole('button', { name: 'Send a test email' }).click();
  await expect(page.getByText('Test email sent to lead@example.com.')).toBeVisible();
  await expect.poll(() => smtp.messages.filter((m) => m.subject === 'Tripline test email' && m.to.includes('lead@example.com')).length).toBe(1);

  const canvas = new CanvasPage(page);
  await page.goto('/workflows');
  const card = page.getByRole('article', { name: 'Low stock: email the supplier' });
  await card.getByRole('button', { name: /Use template/ }).click();
  await card.getByLabel("Supplier's email address").fill('restock@supplier.example');
  await card.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(canvas.node('email-supplier')).toContainText('to restock@supplier.example');
  await expect(canvas.problems).toHaveCount(0);
  await canvas.publish(1);

  for (const quantity of [30, 6]) {
    const res = await admin.post('/api/v1/events', { data: { type: 'product.stock_changed', data: { sku: 'E2E-MUG', quantity } } });
    expect(res.status()).toBe(202);
    // The second change must come after the first one set the level the threshold is crossed from.
    await expect.poll(async () => ((await (await admin.get('/api/v1/stock/E2E-MUG')).json()) as { quantity?: number }).quantity).toBe(quantity);
  }
  await expect.poll(() => smtp.messages.find((m) => m.subject === 'Restock E2E-MUG: 6 left')?.to, { timeout: 20_000 }).toEqual(['restock@supplier.example']);
  const mail = smtp.messages.find((m) => m.subject === 'Restock E2E-MUG: 6 left')!;
  expect(mail.from).toBe('shop@example.com');
  expect(mail.text).toContain('Stock of E2E-MUG fell to 6 (below 10)');
});

test('a schedule trigger shows its next five times in words, in its time zone', async ({ page }) => {
  await login(page, undefined, '/workflows');
  const canvas = new CanvasPage(page);
  await page.getByRole('button', { name: 'New workflow' }).click();
  await expect(canvas.canvas).toBeVisible();
  await canvas.dragFromPalette('schedule', 200, 200);
  const inspector = page.locator('.inspector');
  await inspector.getByRole('textbox', { name: /^Cron/ }).fill('0 18 * * 1');
  await inspector.getByRole('textbox', { name: /^Time zone/ }).fill('Europe/Paris');
  const next = page.getByTestId('schedule-next');
  await expect(next).toContainText('Next five times (Europe/Paris)');
  await expect(next.getByRole('listitem')).toHaveCount(5);
  for (const item of await next.getByRole('listitem').all()) await expect(item).toContainText(/^Mon, \d+ \w+ \d{4}, 18:00/);

  await inspector.getByRole('textbox', { name: /^Cron/ }).fill('0 18 * *');
  await expect(next).toHaveCount(0);
  await expect(inspector.getByRole('alert').first()).toContainText('five fields');
});
