import { expect, test, type APIRequestContext } from '@playwright/test';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/** Issue #16, points 6, 7, 9 and 10: diffs, messages, the audit log and the canvas, as people met them. */
let api: APIRequestContext;
test.use({ viewport: { width: 1600, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
});
test.afterAll(async () => api?.dispose());
test.beforeEach(async ({ page }) => login(page, undefined, '/workflows'));

const gold = { '==': [{ var: 'data.to' }, 'gold'] };
const goldGraph = (rule: unknown, handles: boolean) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' }, position: { x: 0, y: 0 } },
    { id: 'is_gold', type: 'condition', config: { rule }, position: { x: 300, y: 0 } },
    { id: 'stop', type: 'stop', config: {}, position: { x: 600, y: 0 } },
  ],
  // seeded graphs leave out the sourceHandle of one-output steps; the editor writes "out"
  edges: [
    { id: 'e1', source: 'trigger', target: 'is_gold', ...(handles ? { sourceHandle: 'out' } : {}) },
    { id: 'e2', source: 'is_gold', sourceHandle: 'true', target: 'stop' },
  ],
});

test('6. the version diff reads as the node does, shows no phantom connection changes, and has the JSON on demand', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string; revision: number }>(api, 'post', '/workflows', { name: 'Diff in words', graph: goldGraph(gold, false) });
  await apiJson(api, 'post', `/workflows/${wf.id}/publish`, {});
  const current = await apiJson<{ revision: number }>(api, 'get', `/workflows/${wf.id}`);
  await apiJson(api, 'put', `/workflows/${wf.id}`, { revision: current.revision, graph: goldGraph({ and: [gold, { '>': [{ var: 'data.ltv' }, 800] }] }, true) });

  await page.goto(`/workflows/${wf.id}`);
  await canvas.tab('Versions').click();
  await page.getByRole('combobox', { name: 'Compare from' }).selectOption('1');
  await page.getByRole('combobox', { name: 'Compare to' }).selectOption('draft');
  const diff = page.getByTestId('version-diff');
  await expect(diff).toContainText('rule: to is gold → to is gold and ltv > 800');
  await expect(diff).not.toContainText('connection');
  await diff.getByText('JSON').click();
  await expect(diff.locator('pre').last()).toContainText('"data.ltv"');
});

test('7. errors in plain words beside their field: empty name, retention, "Or until", test-run sample', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Messages',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
        { id: 'wait', type: 'delay', config: { seconds: 60 }, position: { x: 300, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'wait' }],
    },
  });
  await page.goto(`/workflows/${wf.id}`);

  // an empty name is refused inline, and the indicator does not claim unsaved work forever
  await page.getByLabel('Workflow name').fill('');
  await expect(page.getByRole('alert').filter({ hasText: 'A workflow needs a name' })).toBeVisible();
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');
  await page.getByLabel('Workflow name').fill('Messages, renamed');
  await canvas.expectSaved();
  expect((await apiJson<{ name: string }>(api, 'get', `/workflows/${wf.id}`)).name).toBe('Messages, renamed');

  // "Or until" takes a time or a template, nothing else
  await canvas.select('wait');
  await canvas.field(/^Wait(?! unit)/).fill('');
  await canvas.field(/^Or until/).fill('tomorrow');
  await expect(page.locator('.inspector')).toContainText('enter a time such as 2026-12-24T09:00:00Z, or a template such as {{data.deliverBy}}');
  await canvas.field(/^Or until/).fill('{{data.deliverBy}}');
  await expect(canvas.problems).toHaveCount(0);

  // a test-run sample is checked against the event schema, the field named
  await canvas.tab('Test run').click();
  await page.locator('.test-run textarea').fill('{"orderId": "o-1", "customerId": "cus_1", "status": "paid", "total": "a lot", "currency": "EUR", "items": []}');
  await page.getByRole('button', { name: 'Run test' }).click();
  await expect(page.locator('.test-run')).toContainText('The sample is not a valid order.paid event: total: enter a number.');

  // retention: "at most 3,650 days" beside the field, no code, no schema words
  await page.goto('/settings');
  await page.getByLabel('Retention days').fill('4000');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('#retention-error')).toHaveText('Keep history for at most 3,650 days.');
  await expect(page.getByText('validation_failed')).toHaveCount(0);
  await expect(page.getByText('Too big')).toHaveCount(0);
});

test('9. the audit log: autosaves folded per editing session, the workflow named and linked, an action picker, changes summarised', async ({ page }) => {
  const wf = await apiJson<{ id: string; revision: number }>(api, 'post', '/workflows', { name: 'Audited gold', graph: goldGraph(gold, true) });
  let revision = wf.revision;
  for (const rule of [{ and: [gold, { '>': [{ var: 'data.ltv' }, 800] }] }, { and: [gold, { '>': [{ var: 'data.ltv' }, 900] }] }]) {
    revision = (await apiJson<{ revision: number }>(api, 'put', `/workflows/${wf.id}`, { revision, graph: goldGraph(rule, true) })).revision;
  }
  await page.goto('/audit');
  await page.getByLabel('Action').selectOption('workflow.updated');
  await page.getByRole('button', { name: 'Filter' }).click();
  const row = page.getByTestId('audit-row').filter({ hasText: 'Audited gold' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('2 autosaves');
  await expect(row).toContainText('is_gold: added ltv > 900');
  await row.getByText('JSON').click();
  await expect(row.locator('pre')).toBeVisible();
  // rows fit the page: nothing wider than the table
  const table = (await page.locator('.audit-table').boundingBox())!;
  expect(table.x + table.width).toBeLessThanOrEqual(page.viewportSize()!.width);
  await row.getByRole('link', { name: 'Audited gold' }).click();
  await expect(page).toHaveURL(new RegExp(`/workflows/${wf.id}$`));
});

test('10. the canvas: a step added after the last one is panned into view, problems leave the zoom controls free, pickers grouped as the catalog, the event log says what it sorts by', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Long chain',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
        { id: 'far', type: 'stop', config: {}, position: { x: 700, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'far' }],
    },
  });
  await page.goto(`/workflows/${wf.id}`);
  await canvas.select('trigger');
  const groups = await page.locator('.inspector select').first().locator('optgroup').evaluateAll((gs) => gs.map((g) => (g as HTMLOptGroupElement).label));
  expect(groups).toEqual(['Sent in by your store and tools', 'Computed by Tripline', 'About Tripline itself']);

  // a step after the rightmost one would land past the edge of the canvas
  await canvas.select('far');
  await page.getByTestId('palette-delay').click();
  const added = page.locator('.react-flow__node').filter({ hasText: 'Delay' });
  await expect(added).toBeVisible();
  await expect(async () => {
    const box = (await added.boundingBox())!;
    const area = (await canvas.canvas.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(area.x);
    expect(box.x + box.width).toBeLessThanOrEqual(area.x + area.width);
  }).toPass();

  // the problems box (an unconnected step) does not cover the zoom controls
  await page.getByTestId('palette-stop').dragTo(canvas.canvas, { targetPosition: { x: 200, y: 400 } });
  await expect(canvas.problems).toBeVisible();
  const problems = (await canvas.problems.boundingBox())!;
  const controls = (await page.locator('.react-flow__controls').boundingBox())!;
  const overlap = problems.x < controls.x + controls.width && controls.x < problems.x + problems.width && problems.y < controls.y + controls.height && controls.y < problems.y + problems.height;
  expect(overlap).toBe(false);

  await page.goto('/events');
  await expect(page.getByRole('columnheader', { name: 'Received' })).toHaveAttribute('aria-sort', 'descending');
  await expect(page.locator('.page-header, header').first()).toContainText('the most recently received first');
});
