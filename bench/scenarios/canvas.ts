/**
 * Scenario 7: the editor opening a 500-node workflow in headless Chromium, served by a real
 * Tripline process from a fresh build of the web UI; skipped (with the reason in the report)
 * when there is no Chromium or the UI does not build or render.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, now } from '../lib/load.ts';
import { ADMIN, ROOT } from '../lib/procs.ts';
import { api, type BenchDeps } from '../lib/harness.ts';

export async function scenarioCanvas({ P, say, freshDatabase, startTripline, report }: BenchDeps) {
  const skip = (reason: string) => {
    say(`canvas skipped: ${reason}`);
    report({ key: 'canvas', name: '7. Canvas: open a 500-node workflow', parameters: { nodes: 500 }, results: { skipped: reason }, peakRssMb: {} });
  };
  if (!fs.existsSync('/usr/bin/chromium')) return skip('no Chromium at /usr/bin/chromium');
  const webDist = path.join(os.tmpdir(), 'tripline-bench-web');
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', webDist, '--emptyOutDir', '--logLevel', 'error'], { cwd: path.join(ROOT, 'web'), stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    return skip(`the web UI does not build right now: ${String((error as { stderr?: Buffer }).stderr ?? error).slice(0, 300)}`);
  }
  const url = await freshDatabase('canvas');
  const proc = await startTripline('canvas-all', url, { role: 'all', env: { TRIPLINE_WEB_DIST: webDist } });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const nodes = [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.created' }, position: { x: 0, y: 0 } }];
    const edges = [];
    for (let i = 1; i < 500; i++) {
      nodes.push({ id: `n${i}`, type: 'transform', config: { fields: { [`f${i}`]: `{{data.orderId}}` } } as never, position: { x: (i % 20) * 260, y: Math.floor(i / 20) * 140 } });
      edges.push({ id: `e${i}`, source: i === 1 ? 'trigger' : `n${i - 1}`, target: `n${i}` });
    }
    const wf = await api<{ id: string }>(proc, '/api/v1/workflows', { name: 'Five hundred nodes', graph: { nodes, edges } });
    const times: number[] = [];
    const clicks: number[] = [];
    for (let rep = 0; rep < P.canvasRepeats; rep++) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = await context.newPage();
      const login = await page.request.post(`${proc.url}/api/v1/auth/login`, { data: { email: ADMIN.email, password: ADMIN.password } });
      if (login.status() !== 200) {
        await context.close();
        return skip(`sign-in answered ${login.status()}`);
      }
      const t0 = now();
      await page.goto(`${proc.url}/workflows/${wf.id}`);
      const rendered = await page
        .waitForFunction(() => document.querySelectorAll('.react-flow__node').length >= 500, undefined, { timeout: 60_000, polling: 'raf' })
        .then(() => true)
        .catch(() => false);
      if (!rendered) {
        const count = await page.locator('.react-flow__node').count();
        await context.close();
        return skip(`the editor at /workflows/:id rendered ${count} of 500 nodes within 60 s (the canvas may not be finished)`);
      }
      times.push(now() - t0);
      // Interactive: a click on a node selects it.
      const t1 = now();
      await page.locator('.react-flow__node').first().click({ timeout: 10_000 }).catch(() => {});
      const selected = await page.waitForSelector('.react-flow__node.selected', { timeout: 10_000 }).then(() => true).catch(() => false);
      if (selected) clicks.push(now() - t1);
      await context.close();
    }
    report({
      key: 'canvas',
      name: '7. Canvas: open a 500-node workflow',
      parameters: { nodes: 500, edges: 499, repeats: P.canvasRepeats, browser: 'Chromium (headless, --disable-gpu)', measure: 'navigation to /workflows/:id until 500 .react-flow__node elements exist' },
      results: { openMs: dist(times), clickToSelectedMs: clicks.length ? dist(clicks) : 'no .selected class after a click' },
      peakRssMb: { [proc.name]: proc.peakRss() },
    });
  } finally {
    await browser.close();
    await proc.stop();
  }
}
