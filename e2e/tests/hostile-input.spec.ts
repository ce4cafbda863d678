import { expect, test, type Page } from '@playwright/test';
import { E2E_API_KEY } from '../../playwright.config.ts';
import { login } from '../support/login.ts';

/**
 * Script and HTML in names people type (workflow, step, endpoint, campaign) render as
 * text: the literal string is visible and nothing runs (window.__xss stays undefined).
 */
const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '<script>window.__xss=1</script>';
const tag = Date.now().toString(36);
const auth = { authorization: `Bearer ${E2E_API_KEY}` };

let workflowId = '';
let endpointId = '';

test.beforeAll(async ({ request }) => {
  const wf = await request.post('/api/v1/workflows', {
    headers: auth,
    data: {
      name: `${IMG} wf ${tag}`,
      description: SCRIPT,
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', label: `${SCRIPT} trigger`, config: { eventType: 'order.created' }, position: { x: 0, y: 0 } },
          { id: 'cond', type: 'condition', label: `${IMG} step`, config: { rule: { '==': [{ var: 'data.status' }, SCRIPT] } }, position: { x: 0, y: 150 } },
        ],
        edges: [{ id: 'e1', source: 'trigger', target: 'cond' }],
      },
    },
  });
  expect(wf.status()).toBe(201);
  workflowId = ((await wf.json()) as { id: string }).id;
  const ep = await request.post('/api/v1/endpoints', {
    headers: auth,
    data: { url: `http://127.0.0.1:9/hook?x=${encodeURIComponent(IMG)}`, description: `${IMG} endpoint ${tag}`, eventTypes: ['order.created'], enabled: false },
  });
  expect(ep.status()).toBe(201);
  endpointId = ((await ep.json()) as { id: string }).id;
  const campaign = await request.post('/api/v1/campaigns', { headers: auth, data: { name: `${SCRIPT} campaign ${tag}`, kind: 'custom', description: IMG } });
  expect(campaign.status()).toBe(201);
});

async function expectNoScriptRan(page: Page) {
  // Give an injected onerror handler every chance to fire.
  await page.waitForLoadState('networkidle');
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    delete (window as unknown as { __xss?: unknown }).__xss;
  });
  await login(page);
});

test('a workflow name with HTML shows as text in the list and the editor', async ({ page }) => {
  await page.goto('/workflows');
  await expect(page.getByText(`${IMG} wf ${tag}`).first()).toBeVisible();
  await expectNoScriptRan(page);
  await page.goto(`/workflows/${workflowId}`);
  await expect(page.locator('#workflow-name')).toHaveValue(`${IMG} wf ${tag}`);
  await expectNoScriptRan(page);
});

test('step labels with script tags render as text on the canvas', async ({ page }) => {
  await page.goto(`/workflows/${workflowId}`);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  const canvasText = await page.locator('.react-flow').innerText();
  // Shown literally when the canvas shows labels; never parsed as markup either way.
  if (canvasText.includes('trigger') && canvasText.includes('<')) expect(canvasText).toContain(SCRIPT);
  await expectNoScriptRan(page);
});

test('an endpoint description with HTML shows as text', async ({ page }) => {
  await page.goto('/endpoints');
  await expect(page.getByText(`${IMG} endpoint ${tag}`).first()).toBeVisible();
  await expectNoScriptRan(page);
  await page.goto(`/endpoints/${endpointId}`);
  await expect(page.getByText(`${IMG} endpoint ${tag}`).first()).toBeVisible();
  await expectNoScriptRan(page);
});

test('a campaign name with a script tag shows as text', async ({ page }) => {
  await page.goto('/campaigns');
  await expect(page.getByText(`${SCRIPT} campaign ${tag}`).first()).toBeVisible();
  await expectNoScriptRan(page);
});
