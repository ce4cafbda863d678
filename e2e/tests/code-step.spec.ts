import { expect, test, type APIRequestContext } from '@playwright/test';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * Issue 26, point 8: the code step has a real editor (line numbers, `input.` completion), a
 * syntax error is a problem at edit and blocks publish with its line, a run-time error
 * names its line, "run this step" uses the test event, and credentials say their format.
 */
let api: APIRequestContext;
test.use({ viewport: { width: 1600, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
});
test.afterAll(async () => api?.dispose());
test.beforeEach(async ({ page }) => {
  // a shared, busy machine: these walk through the editor step by step
  test.slow();
  await login(page, undefined, '/workflows');
  await page.evaluate(() => localStorage.clear());
});

async function codeWorkflow(source: string): Promise<string> {
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Score the order',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
        { id: 'score', type: 'code', config: { source, saveAs: 'score' }, position: { x: 300, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'score' }],
    },
  });
  return wf.id;
}

test('the code editor numbers lines, completes input. from the event, and a syntax error is a problem with its line that blocks publish', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const id = await codeWorkflow('return { total: input.event.data.total };');
  await page.goto(`/workflows/${id}`);
  await canvas.select('score');
  const editor = page.getByTestId('code-editor');
  await expect(editor.locator('.cm-lineNumbers')).toBeVisible();
  const code = editor.getByRole('textbox', { name: 'Code' });

  // completion of what the step's input holds, from the trigger's schema
  await code.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('// input.event.data.cur');
  await expect(page.locator('.cm-tooltip-autocomplete')).toContainText('input.event.data.currency');
  await page.keyboard.press('Escape');

  // a syntax error on line 3 is a problem at once, named by line, and Publish is blocked
  await page.keyboard.press('Enter');
  await page.keyboard.type('return (;');
  await expect(canvas.problems).toContainText('the code does not compile');
  await expect(canvas.problems).toContainText('on line 3');
  await expect(canvas.publishButton).toBeDisabled();
  await canvas.expectSaved();

  // the server refuses it too, naming the step and the line
  const refused = await api.post(`/api/v1/workflows/${id}/publish`, { data: {} });
  expect(refused.status()).toBe(422);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/node "score": the code does not compile: .* on line 3/);
});

test('"Run this step" runs it with the test event and shows its output, and a run-time error names its line', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const id = await codeWorkflow('const total = input.event.data.total;\nreturn { doubled: total * 2 };');
  await page.goto(`/workflows/${id}`);
  await canvas.select('score');
  await page.getByRole('button', { name: 'Run this step with the test event' }).click();
  const last = page.getByRole('region', { name: 'Last test run of this step' });
  await expect(last.getByRole('region', { name: 'Output' })).toContainText('doubled');
  await expect(last.getByTestId('step-outcome')).toHaveText('succeeded');

  // a failing line 2
  await apiJson(api, 'put', `/workflows/${id}`, {
    revision: (await apiJson<{ revision: number }>(api, 'get', `/workflows/${id}`)).revision,
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
        { id: 'score', type: 'code', config: { source: 'const missing = null;\nreturn missing.total;', saveAs: 'score' }, position: { x: 300, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'score' }],
    },
  });
  await page.reload();
  await canvas.select('score');
  await page.getByRole('button', { name: 'Run this step with the test event' }).click();
  await expect(last.getByTestId('step-outcome')).toHaveText('failed');
  await expect(last).toContainText('(line 2)');
});

test('the credential form says what format a value takes', async ({ page }) => {
  await page.goto('/credentials');
  const value = page.getByLabel('Value', { exact: true });
  const hint = page.locator(`#${await value.getAttribute('aria-describedby')}`);
  await expect(hint).toContainText('Bearer sk_live_');
  await expect(hint).toContainText('base64');
});
