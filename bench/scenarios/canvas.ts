/**
 * Scenario 7: the editor opening a 30- and a 500-node workflow in headless Chromium (first
 * paint, every node, then selecting and dragging a node), served by a real
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

/** A workflow people read (a 33-step one after Layout) and the largest a graph may sensibly get. */
const CANVAS_SIZES = [30, 500] as const;

export async function scenarioCanvas({ P, say, freshDatabase, startTripline, report }: BenchDeps) {
  const skip = (reason: string) => {
    say(`canvas skipped: ${reason}`);
    report({ key: 'canvas', name: '7. Canvas: open, select and drag at 30 and 500 nodes', parameters: { sizes: CANVAS_SIZES.join(', ') }, results: { skipped: reason }, peakRssMb: {} });
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
    const results: Record<string, unknown> = {};
    for (const size of CANVAS_SIZES) {
      const measured = await measureSize(size);
      if (typeof measured === 'string') return skip(measured);
      results[`${size} nodes`] = measured;
    }
    report({
      key: 'canvas',
      name: '7. Canvas: open, select and drag at 30 and 500 nodes',
      parameters: {
        sizes: CANVAS_SIZES.join(', '),
        repeats: P.canvasRepeats,
        browser: 'Chromium (headless, --disable-gpu)',
        firstPaint: 'navigation to /workflows/:id until the first node is painted (first .react-flow__node and a frame after it)',
        allNodes: 'navigation until every node element exists',
        select: 'click on a node until it has .selected',
        drag: 'mouse down on a node, 10 moves over 200 px, mouse up, until its transform shows the new position (one frame)',
      },
      results,
      peakRssMb: { [proc.name]: proc.peakRss() },
    });
  } finally {
    await browser.close();
    await proc.stop();
  }

  /** One workflow of `size` steps in a chain laid out in rows, opened P.canvasRepeats times. */
  async function measureSize(size: number): Promise<Record<string, unknown> | string> {
    const nodes = [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.created' }, position: { x: 0, y: 0 } }];
    const edges = [];
    for (let i = 1; i < size; i++) {
      nodes.push({ id: `n${i}`, type: 'transform', config: { fields: { [`f${i}`]: `{{data.orderId}}` } } as never, position: { x: (i % 20) * 260, y: Math.floor(i / 20) * 140 } });
      edges.push({ id: `e${i}`, source: i === 1 ? 'trigger' : `n${i - 1}`, target: `n${i}` });
    }
    const wf = await api<{ id: string }>(proc, '/api/v1/workflows', { name: `${size} nodes`, graph: { nodes, edges } });
    const firstPaint: number[] = [];
    const all: number[] = [];
    const clicks: number[] = [];
    const drags: number[] = [];
    for (let rep = 0; rep < P.canvasRepeats; rep++) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = await context.newPage();
      try {
        const login = await page.request.post(`${proc.url}/api/v1/auth/login`, { data: { email: ADMIN.email, password: ADMIN.password } });
        if (login.status() !== 200) return `sign-in answered ${login.status()}`;
        const t0 = now();
        await page.goto(`${proc.url}/workflows/${wf.id}`);
        // painted: the first node exists and a frame has been drawn since
        await page.waitForFunction(() => document.querySelector('.react-flow__node') !== null, undefined, { timeout: 60_000, polling: 'raf' });
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
        firstPaint.push(now() - t0);
        const rendered = await page
          .waitForFunction((n) => document.querySelectorAll('.react-flow__node').length >= n, size, { timeout: 60_000, polling: 'raf' })
          .then(() => true)
          .catch(() => false);
        if (!rendered) return `the editor rendered ${await page.locator('.react-flow__node').count()} of ${size} nodes within 60 s`;
        all.push(now() - t0);

        // select: a click on a node in view
        const node = page.locator('.react-flow__node[data-id="n1"]');
        const t1 = now();
        await node.locator('.wf-node-title').click({ timeout: 10_000 });
        if (await page.waitForSelector('.react-flow__node[data-id="n1"].selected', { timeout: 10_000 }).then(() => true).catch(() => false)) clicks.push(now() - t1);

        // drag it 200 px to the right and down
        const box = (await node.boundingBox())!;
        const before = await node.evaluate((el) => (el as HTMLElement).style.transform);
        const x = box.x + box.width / 2;
        const y = box.y + 20;
        const t2 = now();
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + 200, y + 120, { steps: 10 });
        await page.mouse.up();
        const moved = await page
          .waitForFunction((was) => (document.querySelector('.react-flow__node[data-id="n1"]') as HTMLElement | null)?.style.transform !== was, before, { timeout: 10_000, polling: 'raf' })
          .then(() => true)
          .catch(() => false);
        if (moved) drags.push(now() - t2);
      } finally {
        await context.close();
      }
    }
    return {
      firstPaintMs: dist(firstPaint),
      allNodesMs: dist(all),
      clickToSelectedMs: clicks.length ? dist(clicks) : 'no .selected class after a click',
      dragMs: drags.length ? dist(drags) : 'the node did not move',
    };
  }
}
