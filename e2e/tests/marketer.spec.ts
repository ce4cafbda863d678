import { expect, test, type APIRequestContext } from '@playwright/test';
import { E2E_ADMIN } from '../../playwright.config.ts';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * Issue 26 item 1: a marketer builds and publishes workflows from the Workflows page, with
 * the step types an admin allows, and every page that holds back a control says why and
 * whom to ask.
 */
let api: APIRequestContext;
const marketer = { email: `marketer-${Date.now()}@e2e.local`, password: 'marketer-password-123' };
const askAdmin = `ask an admin (${E2E_ADMIN.email}`;

test.use({ viewport: { width: 1600, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  await apiJson(api, 'post', '/users', { ...marketer, role: 'marketer' });
});
test.afterAll(() => api?.dispose());

test('a marketer creates a workflow from a template and publishes it; templates with steps they may not use say so', async ({ page }) => {
  const tag = Date.now();
  await apiJson(api, 'post', '/campaigns', { name: `VIP ${tag}`, kind: 'custom' });
  await apiJson(api, 'post', '/endpoints', { url: 'http://127.0.0.1:9/messaging', description: `Messaging ${tag}`, eventTypes: [] });
  await login(page, marketer, '/workflows');
  await page.goto('/workflows');
  await expect(page.getByRole('button', { name: 'New workflow' })).toBeVisible();
  await expect(page.getByTestId('permission-note')).toHaveCount(0);

  const loops = page.locator('.template-card', { hasText: 'Each low-stock item' });
  await expect(loops.getByTestId('template-refused')).toContainText('Uses For each, Look up steps, which marketers may not add');
  await expect(loops.getByRole('button', { name: /Use template/ })).toHaveCount(0);

  await page.getByRole('button', { name: 'Use template: Gold tier: VIP campaign and a message' }).click();
  await page.getByLabel('VIP campaign', { exact: true }).selectOption({ label: `VIP ${tag}` });
  await page.getByLabel('Messaging endpoint', { exact: true }).selectOption({ label: `Messaging ${tag}` });
  await page.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_/);
  const canvas = new CanvasPage(page);
  await expect(page.getByTestId('read-only-note')).toHaveCount(0);
  await canvas.publish(1);
});

test('a marketer importing a workflow with a code step is told which step, and whom to ask', async ({ page }) => {
  await login(page, marketer, '/workflows');
  await page.goto('/workflows');
  const file = {
    name: 'Scored VIPs',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' }, position: { x: 0, y: 0 } },
        { id: 'score', type: 'code', label: 'Score the order', config: { source: 'return { score: 1 };', saveAs: 'score' }, position: { x: 300, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'score', sourceHandle: 'out' }],
    },
  };
  await page.getByTestId('import-file').setInputFiles({ name: 'scored.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  const banner = page.getByRole('alert').filter({ hasText: 'Score the order' });
  await expect(banner).toContainText('step "Score the order" is a Run code step, which marketers may not add or change');
  await expect(banner).toContainText(askAdmin);
  await expect(page).toHaveURL(/\/workflows$/);
});

test('pages that hold back a control from a marketer say what needs which role and whom to ask', async ({ page }) => {
  await login(page, marketer, '/endpoints');
  await page.goto('/endpoints');
  await expect(page.getByRole('button', { name: 'Add endpoint' })).toHaveCount(0);
  await expect(page.getByTestId('permission-note')).toContainText(`Creating endpoints and test inboxes needs the editor or admin role; ${askAdmin}`);
  await page.goto('/credentials');
  await expect(page.getByTestId('permission-note')).toContainText(`Adding and deleting credentials needs the editor or admin role; ${askAdmin}`);
  await page.goto('/users');
  await expect(page.getByRole('alert')).toContainText(`Your role does not give access to users: it needs the admin role. Ask an admin (${E2E_ADMIN.email}`);
  await page.goto('/settings');
  await expect(page.getByTestId('permission-note')).toContainText(`Changing settings needs the admin role; ${askAdmin}`);
  await expect(page.getByRole('region', { name: 'Steps marketers may use' }).getByRole('checkbox', { name: 'Run code' })).not.toBeChecked();
  await expect(page.getByRole('region', { name: 'Steps marketers may use' }).getByRole('checkbox', { name: 'Send webhook' })).toBeChecked();
});
