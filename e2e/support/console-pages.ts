import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, request, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { E2E_API_KEY } from '../../playwright.config.ts';

/** The API driven with the admin API key, for setting the scene (not what the test proves). */
export async function apiClient(baseURL: string): Promise<APIRequestContext> {
  return request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${E2E_API_KEY}` } });
}

export async function apiJson<T = any>(api: APIRequestContext, method: 'get' | 'post' | 'put', path: string, data?: unknown): Promise<T> {
  const res = await api[method](`/api/v1${path}`, data === undefined ? {} : { data });
  if (!res.ok()) throw new Error(`${method.toUpperCase()} ${path} answered ${res.status()}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** A webhook receiver on 127.0.0.1 whose answer the test switches (500 = down, 200 = back). */
export interface Receiver {
  url: string;
  status: number;
  received: number;
  close(): Promise<void>;
}
export async function startReceiver(status: number): Promise<Receiver> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      receiver.received++;
      res.writeHead(receiver.status, { 'content-type': 'application/json' }).end(receiver.status < 300 ? '{"ok":true}' : '{"error":"receiver is down"}');
    });
  });
  const receiver: Receiver = {
    url: '',
    status,
    received: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

export class RunsExplorer {
  constructor(readonly page: Page) {}
  async goto() {
    await this.page.goto('/runs');
    await expect(this.page.getByRole('heading', { name: 'Runs', exact: true })).toBeVisible();
  }
  async filterStatus(status: string) {
    await this.page.getByLabel('Status').selectOption(status);
  }
  async filterSubject(subject: string) {
    const input = this.page.getByLabel('Subject (customer or SKU)');
    await input.fill(subject);
    await input.press('Enter');
  }
  rows(): Locator {
    return this.page.getByTestId('run-row');
  }
  async openFirst() {
    await this.rows().first().getByRole('link').first().click();
  }
}

export class RunDetail {
  constructor(readonly page: Page) {}
  status(): Locator {
    return this.page.locator('header.page-header [data-status]').first();
  }
  async expectStatus(status: string) {
    await expect(this.status()).toHaveAttribute('data-status', status, { timeout: 20_000 });
  }
  /** Retry the failed step as it ran (the pinned version), or with the workflow's live version. */
  async retry(use: 'as it ran' | 'with the live version' = 'as it ran') {
    await this.page.getByRole('button', { name: new RegExp(`^Retry “.+” ${use}`) }).click();
  }
  canvasNode(nodeId: string): Locator {
    // the run view draws the editor's own nodes
    return this.page.getByTestId('run-canvas').getByTestId(`node-${nodeId}`);
  }
}

export class EndpointDetail {
  constructor(readonly page: Page) {}
  async goto(id: string) {
    await this.page.goto(`/endpoints/${id}`);
  }
  async filterDeliveries(status: string) {
    await this.page.locator('label', { hasText: 'Status' }).getByRole('combobox').selectOption(status);
  }
  deliveryRows(): Locator {
    return this.page.getByTestId('delivery-row');
  }
  async openFirstDelivery() {
    await this.deliveryRows().first().getByRole('button', { name: /Open delivery/ }).click();
  }
  panel(): Locator {
    return this.page.getByTestId('delivery-detail');
  }
  async replay() {
    await this.panel().getByRole('button', { name: 'Replay' }).click();
  }
  async expectPanelStatus(status: string) {
    await expect(this.panel().locator('.kv [data-status]').first()).toHaveAttribute('data-status', status, { timeout: 20_000 });
  }
}

export class Catalog {
  constructor(readonly page: Page) {}
  async goto() {
    await this.page.goto('/catalog');
    await expect(this.page.getByRole('heading', { name: 'Event catalog', exact: true })).toBeVisible();
  }
  async open(type: string) {
    await this.page.getByRole('link', { name: type, exact: true }).click();
    await expect(this.page.getByRole('heading', { name: type, exact: true })).toBeVisible();
  }
  async sendTestEvent(): Promise<string> {
    await this.page.getByRole('button', { name: 'Send test event' }).click();
    const banner = this.page.getByRole('status').filter({ hasText: 'Event accepted' });
    await expect(banner).toBeVisible();
    return (await banner.locator('a.mono').textContent())!.trim();
  }
  /** Follows the "event log" link of the confirmation. */
  async openEventLog() {
    await this.page.getByRole('status').filter({ hasText: 'Event accepted' }).getByRole('link', { name: 'event log', exact: true }).click();
    await expect(this.page.getByRole('heading', { name: 'Event log', exact: true })).toBeVisible();
  }
}

export class EventLog {
  constructor(readonly page: Page) {}
  async goto() {
    await this.page.goto('/events');
    await expect(this.page.getByRole('heading', { name: 'Event log', exact: true })).toBeVisible();
  }
  row(eventId: string): Locator {
    return this.page.getByTestId('event-row').filter({ hasText: eventId });
  }
}

export class TestInbox {
  constructor(readonly page: Page) {}
  async goto() {
    await this.page.goto('/inbox');
    await expect(this.page.getByRole('heading', { name: 'Test inbox', exact: true })).toBeVisible();
  }
  async create(name: string, eventTypes = '*') {
    const form = this.page.getByRole('form', { name: 'Create a test inbox' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Event types').fill(eventTypes);
    await form.getByRole('button', { name: 'Create a test inbox' }).click();
    await expect(this.page.getByRole('status').filter({ hasText: 'only this once' })).toBeVisible();
  }
  messages(): Locator {
    return this.page.getByTestId('inbox-message');
  }
}

/** `/deliveries`: every endpoint's deliveries with the status, endpoint and event type filters. */
export class DeliveriesList {
  constructor(readonly page: Page) {}
  rows(): Locator {
    return this.page.getByTestId('delivery-row');
  }
  /** A filter's select, found by the label it starts with ("Endpoint", "Event type", "Status"). */
  filter(label: 'Status' | 'Endpoint' | 'Event type'): Locator {
    return this.page.getByRole('combobox', { name: new RegExp(`^${label}`) });
  }
}
