import type { NodeConfig } from '@tripline/shared';
import { storeClient } from '../../../sources/woocommerce/store-client.ts';
import {
  addOrderNote,
  createCoupon,
  generatedCouponCode,
  retryableWooError,
  setProductSale,
  updateCustomerMeta,
  updateOrderStatus,
  type CouponRequest,
  type WriteResult,
} from '../../../sources/woocommerce/writes.ts';
import { renderTemplate } from '../../template.ts';
import type { Executor, StepContext, StepOutcome } from '../types.ts';
import { liveTx } from './step-mode.ts';

type Config = NodeConfig<'woocommerce'>;

/**
 * Waits between attempts when the store answers 429, 5xx or not at all: the run is parked
 * (a timer job wakes it), so no transaction stays open and a restart loses nothing. A
 * Retry-After longer than the planned wait is honoured, up to the cap.
 */
export const WOO_RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000];
const RETRY_AFTER_CAP_MS = 3_600_000;

/** What the step keeps between attempts (its record): the write as rendered once, and the key. */
export interface WooStepState {
  action: Config['action'];
  sourceId: string;
  idempotencyKey: string;
  /** The write, rendered from templates at the first visit, so every attempt writes the same thing. */
  request: Record<string, unknown>;
  firstVisitAt: string;
  attempts: number;
  lastError?: string;
  retryAt?: string;
}

/** Per run, node and for_each iteration: a retried or re-run step finds what this key made. */
export function idempotencyKey(step: Pick<StepContext, 'run' | 'nodeId' | 'iteration'>): string {
  return `tripline:${step.run.id}:${step.nodeId}:${step.iteration}`;
}

function text(template: string | undefined, scope: unknown): string {
  if (template === undefined) return '';
  const value = renderTemplate(template, scope);
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function customerEmail(scope: Record<string, unknown>): string {
  const customer = scope.customer as { email?: unknown } | null | undefined;
  const data = scope.data as { email?: unknown } | undefined;
  return typeof customer?.email === 'string' ? customer.email : typeof data?.email === 'string' ? data.email : '';
}

/** The write as it will go to the store, from the config and the run's scope. */
export function renderWrite(config: Config, scope: Record<string, unknown>, key: string, now = new Date()): Record<string, unknown> {
  switch (config.action) {
    case 'create_coupon': {
      const code = text(config.code, scope).trim() || generatedCouponCode(key);
      const email = config.emailRestriction === undefined ? customerEmail(scope) : text(config.emailRestriction, scope).trim();
      const req: CouponRequest = {
        code,
        discountType: config.discountType,
        amount: config.amount,
        expiresAt: new Date(now.getTime() + config.expiresInDays * 86_400_000).toISOString(),
        emailRestriction: email || null,
        usageLimitPerUser: config.usageLimitPerUser ?? 1,
        ...(config.productSkus?.length ? { productSkus: config.productSkus } : {}),
        ...(config.minimumAmount !== undefined ? { minimumAmount: config.minimumAmount } : {}),
      };
      return { ...req };
    }
    case 'add_order_note':
      return { orderId: text(config.orderId, scope), note: text(config.note, scope), customerNote: config.customerNote ?? false };
    case 'update_order_status':
      return { orderId: text(config.orderId, scope), status: config.status };
    case 'update_customer_meta':
      return { customerId: text(config.customerId, scope), key: text(config.key, scope), value: text(config.value, scope) };
    case 'set_product_sale':
      return {
        skus: [...new Set(config.skus.map((s) => text(s, scope).trim()).filter(Boolean))],
        ...(config.salePrice !== undefined ? { salePrice: config.salePrice } : { percentOff: config.percentOff }),
        from: config.from ? text(config.from, scope) || null : null,
        to: config.to ? text(config.to, scope) || null : null,
      };
  }
}

/** What a rendered write is missing, before anything goes to the store. */
function problemOf(action: Config['action'], req: Record<string, unknown>): string | undefined {
  const empty = (k: string) => typeof req[k] !== 'string' || req[k] === '';
  if ((action === 'add_order_note' || action === 'update_order_status') && empty('orderId')) return 'the order id rendered empty';
  if (action === 'add_order_note' && empty('note')) return 'the note rendered empty';
  if (action === 'update_customer_meta' && (empty('customerId') || empty('key'))) return 'the customer id or the meta key rendered empty';
  if (action === 'set_product_sale' && (req.skus as string[]).length === 0) return 'the SKUs rendered empty';
  for (const k of ['from', 'to']) if (typeof req[k] === 'string' && Number.isNaN(Date.parse(req[k] as string))) return `"${k}" did not give a valid date: ${req[k]}`;
  return undefined;
}

async function perform(client: Parameters<typeof createCoupon>[0], state: WooStepState): Promise<WriteResult<Record<string, unknown>>> {
  const r = state.request as any;
  const key = state.idempotencyKey;
  switch (state.action) {
    case 'create_coupon': {
      const res = await createCoupon(client, r, key);
      return res.ok ? { ok: true, value: { ...res.value } } : res;
    }
    case 'add_order_note': {
      const res = await addOrderNote(client, { ...r, since: state.firstVisitAt }, key);
      return res.ok ? { ok: true, value: { ...res.value } } : res;
    }
    case 'update_order_status': {
      const res = await updateOrderStatus(client, r, key);
      return res.ok ? { ok: true, value: { ...res.value } } : res;
    }
    case 'update_customer_meta': {
      const res = await updateCustomerMeta(client, r, key);
      return res.ok ? { ok: true, value: { ...res.value } } : res;
    }
    case 'set_product_sale': {
      const res = await setProductSale(client, r, key);
      return res.ok ? { ok: true, value: { ...res.value } } : res;
    }
  }
}

/** What later steps read at vars.<saveAs>: the coupon as {id, code, expiresAt}, otherwise the write's result. */
function savedValue(action: Config['action'], result: Record<string, unknown>): unknown {
  if (action === 'create_coupon') return { id: result.id, code: result.code, expiresAt: result.expiresAt };
  return result;
}

/**
 * Writes to a connected WooCommerce store (issue 24 point 5). The step calls out, so it
 * never writes from inside the event batch's transaction: its first visit only renders the
 * write and its idempotency key into the step record and parks the run; the write happens
 * when the run's timer job wakes it (its own transaction). A 429, 5xx or network failure
 * parks the run again with a backoff (WOO_RETRY_DELAYS_MS, Retry-After honoured); after the
 * last try the step fails (the `error` output when connected). Each attempt first looks for
 * what the key made (writes.ts), so retries and re-runs never write twice. A dry run shows
 * the rendered write and calls nothing.
 */
export const woocommerce: Executor<'woocommerce'> = async (config, step) => {
  const key = idempotencyKey(step);
  if (step.mode.kind === 'dry') {
    const request = renderWrite(config, step.scope, key);
    const problem = problemOf(config.action, request);
    if (problem) return { kind: 'fail', error: problem, output: { dryRun: true, wouldWrite: request } };
    const placeholder = config.action === 'create_coupon' ? { id: null, code: request.code, expiresAt: request.expiresAt } : null;
    return { kind: 'next', handle: 'out', output: { dryRun: true, action: config.action, sourceId: config.sourceId, wouldWrite: request }, ...(config.saveAs ? { vars: { [config.saveAs]: placeholder } } : {}) };
  }
  const previous = step.resumed?.output as WooStepState | undefined;
  if (!previous || previous.idempotencyKey !== key) {
    // First visit (or a re-run of a failed step): record what will be written, then park.
    const request = renderWrite(config, step.scope, key);
    const problem = problemOf(config.action, request);
    if (problem) return { kind: 'fail', error: problem, output: { request } };
    const state: WooStepState = { action: config.action, sourceId: config.sourceId, idempotencyKey: key, request, firstVisitAt: new Date().toISOString(), attempts: 0 };
    return { kind: 'wait', output: state, resumeAt: new Date() };
  }
  return attempt(config, step, previous);
};

async function attempt(config: Config, step: StepContext, previous: WooStepState): Promise<StepOutcome> {
  const db = liveTx(step) ?? step.app.pool;
  const state: WooStepState = { ...previous, attempts: previous.attempts + 1 };
  delete state.retryAt;
  const client = await storeClient(step.app, db, state.sourceId);
  if (!client.ok) return { kind: 'fail', error: client.error, output: state };
  let res: WriteResult<Record<string, unknown>>;
  try {
    res = await perform(client.client, state);
  } finally {
    client.client.close();
  }
  if (res.ok) {
    const output = { ...state, lastError: undefined, result: res.value };
    return { kind: 'next', handle: 'out', output, ...(config.saveAs ? { vars: { [config.saveAs]: savedValue(state.action, res.value) } } : {}) };
  }
  const error = res.error;
  const failed = { ...state, lastError: error.message, errorKind: error.kind, ...(error.status ? { statusCode: error.status } : {}) };
  if (!retryableWooError(error) || state.attempts > WOO_RETRY_DELAYS_MS.length) {
    return { kind: 'fail', error: `WooCommerce ${state.action} failed after ${state.attempts} attempt(s): ${error.message}`, output: failed };
  }
  const planned = WOO_RETRY_DELAYS_MS[state.attempts - 1]!;
  const delay = Math.min(RETRY_AFTER_CAP_MS, Math.max(planned, error.retryAfterMs ?? 0));
  const retryAt = new Date(Date.now() + delay);
  return { kind: 'wait', output: { ...failed, retryAt: retryAt.toISOString() }, resumeAt: retryAt };
}
