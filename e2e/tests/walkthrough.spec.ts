import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson, startReceiver, type Receiver } from '../support/console-pages.ts';
import { contrastOf } from '../support/contrast.ts';
import { login } from '../support/login.ts';

/**
 * Issue #16: the moments a walkthrough by an operations lead, a marketer, an admin and an
 * integration developer tripped over, each replayed as the person did it.
 */
let api: APIRequestContext;
let receiver: Receiver;
test.use({ viewport: { width: 1600, height: 950 } });

test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  receiver = await startReceiver(204);
});
test.afterAll(async () => {
  await api?.dispose();
  await receiver?.close();
});

const stopAfter = (trigger: Record<string, unknown>) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: trigger, position: { x: 0, y: 0 } },
    { id: 'stop', type: 'stop', config: { reason: 'first' }, position: { x: 320, y: 0 } },
  ],
  edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'stop' }],
});

async function newWorkflow(name: string, graph: unknown): Promise<string> {
  return (await apiJson<{ id: string }>(api, 'post', '/workflows', { name, graph })).id;
}

test('1. "+ Add a condition" leaves a blank value: it is a problem on the node and in the list, and Publish is blocked until it is filled', async ({ page }) => {
  await login(page, undefined, '/workflows');
  const canvas = new CanvasPage(page);
  const id = await newWorkflow('Blank condition', stopAfter({ eventType: 'product.stock_changed' }));
  await page.goto(`/workflows/${id}`);
  await canvas.select('trigger');
  await page.locator('.inspector').getByRole('button', { name: '+ Add a condition' }).click();
  await expect(canvas.node('trigger')).toContainText('has no value');
  await expect(canvas.problems).toContainText('trigger: “sku is …” has no value: type one, or remove the rule');
  await expect(canvas.publishButton).toBeDisabled();

  await page.getByLabel('Rule 1 value', { exact: true }).fill('TEE-BLK-M');
  await expect(canvas.problems).toHaveCount(0);
  await canvas.expectSaved();
  await canvas.publish(1);
});

test('2. primary buttons keep a readable label while hovered', async ({ page }) => {
  await login(page, undefined, '/endpoints');
  const endpoint = await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: receiver.url, description: 'Contrast check', eventTypes: [] });
  await apiJson(api, 'post', `/endpoints/${endpoint.id}/test`, { eventType: 'order.created' });

  const hovered = async (page: Page, name: string) => {
    const button = page.getByRole('button', { name, exact: true }).first();
    await button.hover();
    // 4.5 : 1 is WCAG AA for normal text; the bug was white on #eef2f8 (about 1.1 : 1)
    expect(await contrastOf(button), `${name} on hover`).toBeGreaterThanOrEqual(4.5);
  };
  await page.goto('/endpoints');
  await hovered(page, 'Add endpoint');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await hovered(page, 'Create');
  await page.goto('/api-keys');
  await hovered(page, 'Create key');
  await page.goto('/catalog/order.created');
  await hovered(page, 'Send test event');
  await page.goto(`/endpoints/${endpoint.id}`);
  await page.getByTestId('delivery-row').first().getByRole('button').click();
  await hovered(page, 'Replay');
  await page.goto('/settings');
  await page.getByLabel('Retention days').fill('31');
  await hovered(page, 'Save');
  await page.goto('/workflows');
  await hovered(page, 'New workflow');
});

test('3. rolling back keeps the draft, marks the rollback, keeps the save indicator honest; an unchanged draft publishes nothing', async ({ page }) => {
  await login(page, undefined, '/workflows');
  const canvas = new CanvasPage(page);
  const id = await newWorkflow('Rollback', stopAfter({ eventType: 'order.paid' }));
  await apiJson(api, 'post', `/workflows/${id}/publish`, {});
  const wf = await apiJson<{ revision: number; graph: { nodes: { config: Record<string, unknown> }[] } }>(api, 'get', `/workflows/${id}`);
  const second = stopAfter({ eventType: 'order.paid' });
  second.nodes[1]!.config = { reason: 'second' };
  await apiJson(api, 'put', `/workflows/${id}`, { graph: second, revision: wf.revision });
  await apiJson(api, 'post', `/workflows/${id}/publish`, {});

  await page.goto(`/workflows/${id}`);
  // work in progress: the stop step gets a new reason
  await canvas.select('stop');
  await canvas.field(/^Reason/).fill('work in progress');
  await canvas.expectSaved();

  await canvas.tab('Versions').click();
  // asked in the page, not in a browser dialog
  await page.getByRole('button', { name: 'Roll back to v1', exact: true }).click();
  await page.getByRole('button', { name: 'Yes, roll back to v1' }).click();
  await expect(page.getByText('Published version 3 (a rollback to v1); your draft is unchanged.')).toBeVisible();
  await expect(page.getByText('Published version 2.')).toHaveCount(0);
  await expect(page.getByTestId('version-3')).toContainText('rollback of v1');
  await expect(page.getByTestId('publish-state')).toHaveText('Live: v3 · draft has changes');
  await expect(canvas.node('stop')).toContainText('work in progress');
  await canvas.expectSaved();

  await canvas.publish(4);
  await canvas.publishButton.click();
  await expect(page.getByText('No changes since v4; nothing was published.')).toBeVisible();
  await expect(page.getByTestId('version-5')).toHaveCount(0);
});

test('4. a stock event that fires nothing says why, and the trigger shows the SKU’s stock and armed thresholds', async ({ page }) => {
  await login(page, undefined, '/events');
  const id = await newWorkflow('Low tee stock', stopAfter({ eventType: 'inventory.threshold_crossed', threshold: 10, direction: 'below', sku: 'TEE-WALK-M' }));
  await apiJson(api, 'post', `/workflows/${id}/publish`, {});
  let at = Date.parse('2026-11-20T10:00:00Z');
  const send = async (quantity: number) =>
    (await apiJson<{ id: string }>(api, 'post', '/events', { type: 'product.stock_changed', occurredAt: new Date((at += 1000)).toISOString(), data: { sku: 'TEE-WALK-M', quantity } })).id;
  await send(12);
  await send(8);
  const quiet = await send(7);

  await page.goto(`/events/${quiet}`);
  await expect(page.getByTestId('why-nothing-fired').locator('p')).toHaveText('TEE-WALK-M 8 → 7: already below 10; fires again after it rises to 10 or more.');

  const canvas = new CanvasPage(page);
  await page.goto(`/workflows/${id}`);
  await canvas.select('trigger');
  await expect(page.getByTestId('stock-panel')).toContainText('TEE-WALK-M: 7 in stock now');
  await expect(page.getByTestId('stock-panel')).toContainText('below 10: fired; re-arms once stock is back at 10 or more');
  await expect(page.getByTestId('stock-panel')).toContainText('Low tee stock');
  await expect(canvas.node('trigger')).toContainText('TEE-WALK-M < 10');
});

test('5. a viewer opening a workflow is told what their role can do and who may publish', async ({ page }) => {
  const viewer = { email: `viewer-${Date.now()}@e2e.local`, password: 'viewer-password-123' };
  await apiJson(api, 'post', '/users', { ...viewer, role: 'viewer' });
  const id = await newWorkflow('Read only', stopAfter({ eventType: 'order.paid' }));
  await login(page, viewer, `/workflows/${id}`);
  await page.goto(`/workflows/${id}`);
  const canvas = new CanvasPage(page);
  await expect(page.getByTestId('read-only-note')).toHaveText(
    'You are signed in as a viewer: you can view this workflow, its runs and its versions. Only a marketer, an editor or an admin can change, test-run or publish it.',
  );
  await expect(canvas.publishButton).toBeDisabled();
  await expect(canvas.publishButton).toHaveAttribute('title', 'Only a marketer, an editor or an admin can publish');
  await expect(page.getByText('Drag steps from the left')).toHaveCount(0);
  await expect(page.getByText('Select a step to see its settings.')).toBeVisible();
});

test('8. an endpoint set up from where it is needed: inside the webhook step, secrets and samples copied, failures read as retrying', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await login(page, undefined, '/workflows');
  const canvas = new CanvasPage(page);
  const graph = stopAfter({ eventType: 'order.paid' });
  graph.nodes[1] = { id: 'notify', type: 'webhook', config: {}, position: { x: 320, y: 0 } } as never;
  graph.edges[0]!.target = 'notify';
  const id = await newWorkflow('Endpoint on the spot', graph);
  await page.goto(`/workflows/${id}`);
  await canvas.select('notify');
  await expect(canvas.combobox(/^Endpoint/)).toContainText('Choose an endpoint…');
  await page.getByRole('button', { name: '+ New endpoint' }).click();
  const form = page.getByRole('group', { name: 'New endpoint' });
  await form.getByLabel('URL').fill(receiver.url);
  await form.getByLabel(/^Name/).fill('Desk from the step');
  await form.getByRole('button', { name: 'Create endpoint' }).click();
  const secret = await page.getByTestId('new-endpoint-secret').textContent();
  expect(secret).toMatch(/^whsec_/);
  await page.locator('.inspector').getByRole('button', { name: 'Copy secret' }).click();
  await expect(page.locator('.inspector').getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await expect(canvas.combobox(/^Endpoint/).locator('option:checked')).toContainText('Desk from the step');
  await expect(canvas.node('notify')).toContainText('to Desk from the step');

  // the endpoints page: no pre-filled subscription
  await page.goto('/endpoints');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const types = page.getByLabel('Event types (comma separated)');
  await expect(types).toHaveValue('');
  await expect(types).toHaveAttribute('placeholder', /order\.\*/);

  // the catalog's verification sample, copied, de-duplicates on webhook-id
  await page.goto('/catalog/order.created');
  await page.getByRole('button', { name: 'Copy code' }).click();
  const code = await page.evaluate(() => navigator.clipboard.readText());
  expect(code).toContain("const id = req.headers['webhook-id'];");
  expect(code).toContain('if (seen.has(id))');

  // a receiver that fails: the delivery reads "retrying (next attempt at …)", not "pending"
  const down = await startReceiver(500);
  try {
    const failing = await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: down.url, description: 'Down desk', eventTypes: [] });
    await page.goto(`/endpoints/${failing.id}`);
    await apiJson(api, 'post', `/endpoints/${failing.id}/test`, { eventType: 'order.created' });
    await expect(page.getByTestId('delivery-row').first()).toContainText(/retrying \(next attempt at .+\)/);
    await expect(page.getByTestId('delivery-row').first()).not.toContainText('pending');
  } finally {
    await down.close();
  }
});
