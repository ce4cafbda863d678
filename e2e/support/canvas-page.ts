import { expect, type Locator, type Page } from '@playwright/test';

/**
 * The workflow editor as a person sees it: a palette on the left, the canvas, and the side
 * panel (Step / Test run / Versions). Tests say what they do ("add a trigger, connect it to
 * the condition's true branch") and this object knows where things are.
 */
export class CanvasPage {
  readonly canvas: Locator;
  readonly publishButton: Locator;
  readonly problems: Locator;

  constructor(readonly page: Page) {
    this.canvas = page.getByTestId('workflow-canvas');
    this.publishButton = page.getByRole('button', { name: 'Publish', exact: true });
    this.problems = page.getByTestId('problems');
  }

  node(id: string): Locator {
    return this.page.getByTestId(`node-${id}`);
  }

  /** Drags a step from the palette and drops it at (x, y) inside the canvas. */
  async dragFromPalette(type: string, x: number, y: number) {
    await this.page.getByTestId(`palette-${type}`).dragTo(this.canvas, { targetPosition: { x, y } });
  }

  /** Draws an edge with the mouse from a step's output handle to another step's input. */
  async connect(source: string, sourceHandle: string, target: string) {
    await this.drag(source, sourceHandle, this.page.locator(`.react-flow__handle[data-nodeid="${target}"][data-handleid="in"]`));
  }

  /** Drags from an output handle onto a whole node (e.g. a trigger, which has no input). */
  async dragOutputOnto(source: string, sourceHandle: string, target: string) {
    await this.drag(source, sourceHandle, this.node(target));
  }

  private async drag(source: string, sourceHandle: string, to: Locator) {
    const from = this.page.locator(`.react-flow__handle[data-nodeid="${source}"][data-handleid="${sourceHandle}"]`);
    // both ends rendered and on screen first: boundingBox() does not wait, and gives null for a hidden one
    await expect(from).toBeInViewport();
    await expect(to).toBeInViewport();
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    await this.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    await this.page.mouse.up();
  }

  /**
   * Clicks the canvas background where nothing lies on it (no step, note, edge, toolbar,
   * minimap or controls), as a person clicks "somewhere empty" to deselect. A fixed position
   * would break each time a tool is added over the canvas.
   */
  async clickEmptyCanvas() {
    const pane = this.canvas.locator('.react-flow__pane');
    const point = await pane.evaluate((el) => {
      const box = el.getBoundingClientRect();
      for (let y = box.top + 40; y < box.bottom - 20; y += 20) {
        for (let x = box.left + 20; x < box.right - 20; x += 20) {
          if (document.elementFromPoint(x, y) === el) return { x, y };
        }
      }
      return null;
    });
    expect(point, 'an empty spot on the canvas').not.toBeNull();
    await this.page.mouse.click(point!.x, point!.y);
  }

  edge(source: string, sourceHandle: string, target: string): Locator {
    return this.page.locator(`.react-flow__edge[data-id="e-${source}-${sourceHandle}-${target}"]`);
  }

  async select(id: string) {
    await this.node(id).locator('.wf-node-title').click();
    await this.tab('Step').click();
  }

  tab(name: 'Step' | 'Test run' | 'Versions'): Locator {
    return this.page.getByRole('tab', { name, exact: true });
  }

  /** A control in the inspector of the selected step, by its label. */
  field(label: string | RegExp): Locator {
    return this.page.locator('.inspector').getByLabel(label);
  }

  combobox(name: string | RegExp): Locator {
    return this.page.locator('.inspector').getByRole('combobox', { name });
  }

  /** The canvas zoom, as xyflow applies it to the viewport (1 = node text at its CSS size). */
  async zoom(): Promise<number> {
    const transform = await this.page.locator('.react-flow__viewport').evaluate((el) => getComputedStyle(el).transform);
    // matrix(a, b, c, d, e, f): a is the scale
    return Number(/matrix\(([^,]+),/.exec(transform)?.[1] ?? '1');
  }

  /** A sticky note on the canvas. */
  note(id: string): Locator {
    return this.page.getByTestId(`note-${id}`);
  }

  async expectSaved() {
    await expect(this.page.getByTestId('save-status')).toHaveText('All changes saved');
  }

  async publish(expectedVersion: number) {
    await expect(this.publishButton).toBeEnabled();
    await this.publishButton.click();
    await expect(this.page.getByText(`Published version ${expectedVersion}.`)).toBeVisible();
  }
}
