import { expect, test, type APIRequestContext } from '@playwright/test';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * Issue 26, point 2: the canvas reads at 30 steps. At 1,440 px the panels fold away, a fit
 * never shrinks text below a readable size (the rest is scrolled to), a switch's cases stay
 * seven labelled lines, a step is found by name, and sticky notes are kept but never run.
 */
let api: APIRequestContext;
test.use({ viewport: { width: 1440, height: 900 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
});
test.afterAll(async () => api?.dispose());
test.beforeEach(async ({ page }) => {
  // a shared, busy machine: these walk through the editor step by step
  test.slow();
  await login(page, undefined, '/workflows');
  // panel choices are remembered per browser: each test starts with both panels open
  await page.evaluate(() => localStorage.clear());
});

/** A chain of `count` steps after the trigger, laid out left to right as Layout would. */
function chain(count: number) {
  const nodes = [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } }];
  const edges = [];
  for (let i = 1; i <= count; i++) {
    nodes.push({ id: `step-${i}`, type: 'delay', config: { seconds: 60 }, position: { x: i * 310, y: (i % 3) * 120 }, label: `Wait ${i}` } as never);
    edges.push({ id: `e${i}`, source: i === 1 ? 'trigger' : `step-${i - 1}`, sourceHandle: 'out', target: `step-${i}` });
  }
  return { nodes, edges };
}

test('the palette and the side panel fold away, giving the canvas the whole width beside the app menu, and stay folded', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', { name: 'Folding panels', graph: chain(3) });
  await page.goto(`/workflows/${wf.id}`);
  const before = (await canvas.canvas.boundingBox())!.width;
  expect(before).toBeLessThan(700);

  await page.getByRole('button', { name: '‹ Hide steps' }).click();
  await page.getByRole('button', { name: 'Hide panel ›' }).click();
  await expect(page.getByRole('complementary', { name: 'Steps' })).toHaveCount(0);
  await expect(canvas.tab('Step')).toHaveCount(0);
  await expect.poll(async () => (await canvas.canvas.boundingBox())!.width).toBeGreaterThan(1200);

  await page.reload();
  await expect(canvas.node('trigger')).toBeVisible();
  expect((await canvas.canvas.boundingBox())!.width).toBeGreaterThan(1200);
  await page.getByRole('button', { name: '› Steps' }).click();
  await expect(page.getByTestId('palette-delay')).toBeVisible();
});

test('a 33-step workflow opens and fits at a readable zoom, and the rest is a scroll away', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', { name: 'Thirty-three steps', graph: chain(32) });
  await page.goto(`/workflows/${wf.id}`);
  await expect(canvas.node('trigger')).toBeVisible();
  await expect.poll(() => canvas.zoom()).toBeGreaterThanOrEqual(0.8);

  // titles are at least 10 px on screen, and the first step is in view, not cut
  const title = canvas.node('step-1').locator('.wf-node-title');
  await expect(title).toBeInViewport();
  expect((await title.boundingBox())!.height).toBeGreaterThanOrEqual(10);

  // Zoom to fit (F) keeps it readable too
  await page.getByTitle('Zoom to fit (F)').click();
  await expect.poll(() => canvas.zoom()).toBeGreaterThanOrEqual(0.8);
  await expect(canvas.node('step-32')).not.toBeInViewport();

  // the wheel scrolls towards the end instead of zooming out
  const box = (await canvas.canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const last = canvas.node('step-32');
  const onScreen = async () => {
    const b = await last.boundingBox();
    return b !== null && b.x + b.width <= box.x + box.width;
  };
  for (let i = 0; i < 30 && !(await onScreen()); i++) await page.mouse.wheel(600, 0);
  await expect(canvas.node('step-32')).toBeInViewport();
  expect(await canvas.zoom()).toBeGreaterThanOrEqual(0.8);
});

test("a switch's seven cases are seven labelled edges that leave and turn apart", async ({ page }) => {
  const names = ['gold', 'silver', 'bronze', 'vip', 'new', 'lapsed', 'wholesale'];
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Seven cases',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' }, position: { x: 0, y: 300 } },
        { id: 'by_tier', type: 'switch', config: { cases: names.map((name) => ({ name, rule: { '==': [{ var: 'data.to' }, name] } })) }, position: { x: 300, y: 300 } },
        ...names.map((name, i) => ({ id: `to_${name}`, type: 'stop', config: {}, position: { x: 650, y: i * 110 } })),
      ],
      edges: [{ id: 'e0', source: 'trigger', sourceHandle: 'out', target: 'by_tier' }, ...names.map((name) => ({ id: `e_${name}`, source: 'by_tier', sourceHandle: name, target: `to_${name}` }))],
    },
  });
  await page.goto(`/workflows/${wf.id}`);
  const turns: number[] = [];
  for (const name of names) {
    const edge = page.locator(`.react-flow__edge[data-id="e_${name}"]`);
    await expect(edge.locator('.react-flow__edge-text')).toHaveText(name);
    // smoothstep: "M sx,sy L x,y …": the first L is where the edge turns towards its target
    const d = (await edge.locator('path.react-flow__edge-path').getAttribute('d'))!;
    turns.push(Number(/L\s*([\d.-]+)/.exec(d)![1]));
  }
  // the cases above and below the middle turn at different places: no single shared line
  expect(new Set(turns.map((x) => Math.round(x))).size).toBeGreaterThanOrEqual(4);
});

test('Ctrl+F finds a step by its name, centres it and opens its settings', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', { name: 'Find a step', graph: chain(32) });
  await page.goto(`/workflows/${wf.id}`);
  await expect(canvas.node('trigger')).toBeVisible();
  await expect(canvas.node('step-27')).not.toBeInViewport();

  await canvas.canvas.click({ position: { x: 400, y: 500 } });
  await page.keyboard.press('Control+f');
  await expect(page.getByRole('searchbox', { name: 'Find a step' })).toBeFocused();
  await page.keyboard.type('wait 27');
  await expect(page.getByRole('list', { name: 'Matching steps' }).getByRole('button')).toHaveCount(1);
  await page.keyboard.press('Enter');

  await expect(canvas.node('step-27')).toBeInViewport();
  await expect(canvas.node('step-27')).toHaveClass(/selected/);
  await expect(page.locator('.inspector h2')).toHaveText('Wait 27');
});

test('a sticky note is saved with the workflow, never blocks publishing and never runs', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', { name: 'With a note', graph: chain(1) });
  await page.goto(`/workflows/${wf.id}`);
  await page.getByRole('button', { name: '+ Note' }).click();
  await canvas.note('note-1').getByLabel('Note text').fill('Ask Dana before changing the delay');
  await canvas.expectSaved();
  await expect(canvas.problems).toHaveCount(0);
  await canvas.publish(1);

  await page.reload();
  await expect(canvas.note('note-1').getByLabel('Note text')).toHaveValue('Ask Dana before changing the delay');
  const saved = await apiJson<{ graph: { nodes: { id: string }[]; notes: { id: string; text: string }[] } }>(api, 'get', `/workflows/${wf.id}`);
  expect(saved.graph.notes).toEqual([expect.objectContaining({ id: 'note-1', text: 'Ask Dana before changing the delay' })]);
  expect(saved.graph.nodes.map((n) => n.id)).toEqual(['trigger', 'step-1']);

  // a test run passes the trigger and the delay; the note is not a step
  await canvas.tab('Test run').click();
  await page.getByRole('button', { name: 'Run test' }).click();
  await expect(page.getByTestId('test-result')).toBeVisible();
  await expect(page.getByTestId('test-result')).not.toContainText('note-1');
});
