import type { AppContext } from '../../context.ts';
import { withRetriedTransaction } from '../../db/pool.ts';
import { advanceBackfill, findConnection, setBackfill, tryLock, unlock, type BackfillCursor, type BackfillState } from '../../db/source-sync.ts';
import { applyWooChange, historySettings, topicFor } from './apply.ts';
import { connectedClient } from './connect.ts';
import { WOO_MAX_PER_PAGE, type WooClient, type WooResult } from './rest-client.ts';

/**
 * The history import. Pages through customers, then orders oldest first, then products,
 * `per_page=100`, and applies each page in one transaction together with the cursor that
 * says where to resume: a crash or a restart loses at most the page in flight, and applying
 * it again changes nothing (entity state, the order ledger). Two pages are fetched at a
 * time (a small fixed concurrency, kind to the store); the client backs off on 429 and
 * 5xx honouring Retry-After. Progress (`done` / `total`) is recorded with every page.
 */

export const BACKFILL_PHASES = ['customers', 'orders', 'products'] as const;
type Phase = (typeof BACKFILL_PHASES)[number];

/** Pages in flight at once. */
const CONCURRENCY = 2;

const QUERY: Record<Phase, Record<string, string>> = {
  // role=all: WooCommerce lists only the `customer` role by default; subscribers buy too.
  customers: { orderby: 'id', order: 'asc', role: 'all' },
  // Oldest first, so the history is applied in the order it happened and new orders only append pages.
  orders: { orderby: 'date', order: 'asc', status: 'any' },
  products: { orderby: 'id', order: 'asc', status: 'any' },
};

/** Marks a backfill to run (from the start, or from where it stopped) and returns its state. */
export async function requestBackfill(ctx: AppContext, sourceId: string, runWorkflows: boolean): Promise<BackfillState | undefined> {
  return withRetriedTransaction(ctx.pool, async (tx) => {
    const row = await findConnection(tx, sourceId, true);
    if (!row) return undefined;
    if (row.backfill.status === 'running') return row.backfill;
    // A stopped (failed) import resumes from its cursor; a finished one starts again.
    const resume = row.backfill.status === 'failed' && row.backfill_cursor !== null;
    const state: BackfillState = resume
      ? { ...row.backfill, status: 'running', error: null, finishedAt: null, runWorkflows }
      : { status: 'running', phase: 'customers', done: 0, total: 0, startedAt: new Date().toISOString(), finishedAt: null, error: null, runWorkflows };
    await setBackfill(tx, sourceId, state, resume ? row.backfill_cursor : { phase: 'customers', page: 1 });
    return state;
  });
}

export interface BackfillControl {
  /** Set when the process stops: the import ends at a page boundary, still `running`, and resumes at the next start. */
  stopping: () => boolean;
}

/**
 * Runs a source's import to the end (or until stopped or failed). One at a time per source
 * (an advisory lock held on its own connection); a second caller returns at once.
 */
export async function runBackfill(ctx: AppContext, sourceId: string, control: BackfillControl): Promise<void> {
  const lockName = `tripline:backfill:${sourceId}`;
  const holder = await ctx.pool.connect();
  try {
    if (!(await tryLock(holder, lockName))) return;
    try {
      await importHistory(ctx, sourceId, control);
    } finally {
      await unlock(holder, lockName).catch(() => undefined);
    }
  } finally {
    holder.release();
  }
}

async function importHistory(ctx: AppContext, sourceId: string, control: BackfillControl): Promise<void> {
  const row = await findConnection(ctx.pool, sourceId);
  if (!row || row.backfill.status !== 'running') return;
  const client = connectedClient(ctx, row);
  try {
    let state = row.backfill;
    let cursor: BackfillCursor = row.backfill_cursor ?? { phase: 'customers', page: 1 };
    if (state.total === 0) {
      const total = await countAll(client);
      if (typeof total !== 'number') return await stop(ctx, sourceId, state, cursor, total);
      state = { ...state, total };
      await setBackfill(ctx.pool, sourceId, state, cursor);
    }
    for (const phase of BACKFILL_PHASES.slice(BACKFILL_PHASES.indexOf(cursor.phase))) {
      if (phase !== cursor.phase) cursor = { phase, page: 1 };
      const outcome = await importPhase(ctx, client, sourceId, state, cursor, control);
      if (outcome !== 'done') return;
    }
    const fresh = (await findConnection(ctx.pool, sourceId))?.backfill ?? state;
    await setBackfill(ctx.pool, sourceId, { ...fresh, status: 'completed', phase: null, finishedAt: new Date().toISOString(), error: null, total: Math.max(fresh.total, fresh.done) }, null);
    ctx.log.info({ sourceId, done: fresh.done }, 'store history imported');
  } finally {
    client.close();
  }
}

/** How many customers, orders and products there are (page 1 with per_page=1 answers X-WP-Total). */
async function countAll(client: WooClient): Promise<number | string> {
  let total = 0;
  for (const phase of BACKFILL_PHASES) {
    const r = await client.listPage(phase, QUERY[phase], 1, 1);
    if (!r.ok) return r.error.message;
    total += r.total ?? r.data.length;
  }
  return total;
}

async function importPhase(
  ctx: AppContext,
  client: WooClient,
  sourceId: string,
  state: BackfillState,
  start: BackfillCursor,
  control: BackfillControl,
): Promise<'done' | 'stopped'> {
  const phase = start.phase;
  const inFlight = new Map<number, Promise<WooResult<unknown[]>>>();
  const fetchPage = (page: number) => {
    if (!inFlight.has(page)) inFlight.set(page, client.listPage(phase, QUERY[phase], page, WOO_MAX_PER_PAGE));
    return inFlight.get(page)!;
  };
  let lastPage = Number.POSITIVE_INFINITY;
  for (let page = start.page; page <= lastPage; page++) {
    if (control.stopping()) return 'stopped';
    for (let ahead = page; ahead < page + CONCURRENCY && ahead <= lastPage; ahead++) void fetchPage(ahead);
    const result = await fetchPage(page);
    inFlight.delete(page);
    if (!result.ok) {
      // Past the last page WordPress answers 400 rest_post_invalid_page_number: the phase is over.
      if (result.error.code === 'rest_post_invalid_page_number') return 'done';
      await stop(ctx, sourceId, state, { phase, page }, result.error.message);
      return 'stopped';
    }
    if (result.totalPages !== undefined) lastPage = result.totalPages;
    const items = result.data.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
    const next: BackfillCursor = { phase, page: page + 1 };
    await withRetriedTransaction(ctx.pool, async (tx) => {
      const settings = await historySettings(tx);
      for (const item of items) {
        await applyWooChange(tx, {
          sourceId,
          topic: topicFor(phase),
          body: item,
          seed: `backfill:${phase}:${String(item.id)}:${String(item.date_modified_gmt ?? '')}`,
          mode: state.runWorkflows ? 'live' : 'history',
          settings,
        });
      }
      await advanceBackfill(tx, sourceId, items.length, next);
    }, 5);
    if (items.length < WOO_MAX_PER_PAGE && result.totalPages === undefined) return 'done';
  }
  return 'done';
}

async function stop(ctx: AppContext, sourceId: string, state: BackfillState, cursor: BackfillCursor, error: string): Promise<void> {
  const fresh = (await findConnection(ctx.pool, sourceId))?.backfill ?? state;
  await setBackfill(ctx.pool, sourceId, { ...fresh, status: 'failed', finishedAt: new Date().toISOString(), error: `${error} (resume with POST /api/v1/sources/${sourceId}/backfill)` }, cursor);
  ctx.log.warn({ sourceId, cursor, error }, 'store history import stopped');
}
