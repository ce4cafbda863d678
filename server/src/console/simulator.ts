import { simulatorStateSchema, simulatorUpdateSchema, type SimulatorState } from '@tripline/shared';
import { Router } from 'express';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { parseEventBody } from '../engine/ingest/validate.ts';
import { storeEvents } from '../engine/store-events.ts';
import { parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { StoreSimulator } from '../simulator/store.ts';

const TICK_MS = 1000;
/** After a pause (or a crash), never send more than this many seconds' worth at once. */
const MAX_CATCH_UP_SECONDS = 5;

interface StateRow {
  enabled: boolean;
  events_per_second: number;
  updated_at: Date;
  updated_by: string | null;
}

export async function readSimulator(pool: Pool): Promise<SimulatorState> {
  const { rows } = await pool.query<StateRow>(`select enabled, events_per_second, updated_at, updated_by from simulator_state`);
  const r = rows[0]!;
  return { enabled: r.enabled, eventsPerSecond: r.events_per_second, updatedAt: r.updated_at.toISOString(), updatedBy: r.updated_by };
}

/**
 * Runs one simulator tick: whichever process locks the single state row (SKIP LOCKED, so
 * the others pass) sends the events due since `sent_until`, through the same parsing and
 * storing as POST /api/v1/events, in the same transaction that advances `sent_until`.
 * So however many worker processes run, the shop sends at the configured rate, once.
 */
export async function simulatorTick(pool: Pool, ctx: Pick<AppContext, 'boss'>, sim: StoreSimulator, now = new Date()): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ enabled: boolean; events_per_second: number; sent_until: Date | null }>(
      `select enabled, events_per_second, sent_until from simulator_state for update skip locked`,
    );
    const state = rows[0];
    if (!state?.enabled) return 0;
    const from = Math.max(state.sent_until?.getTime() ?? 0, now.getTime() - MAX_CATCH_UP_SECONDS * 1000);
    const due = Math.floor(((now.getTime() - from) / 1000) * state.events_per_second);
    if (due < 1) {
      if (!state.sent_until) await tx.query(`update simulator_state set sent_until = $1`, [now]);
      return 0;
    }
    const { envelopes } = parseEventBody(sim.batch(due), 'simulator');
    await storeEvents(tx, ctx.boss, envelopes);
    // Advance by exactly the time those events stand for, keeping fractional rates honest.
    await tx.query(`update simulator_state set sent_until = $1`, [new Date(from + (due / state.events_per_second) * 1000)]);
    return due;
  });
}

/** Starts the ticking loop in a worker process; stops with the queue. */
export function startSimulatorLoop(ctx: AppContext): void {
  const sim = new StoreSimulator();
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    simulatorTick(ctx.pool, ctx, sim)
      .catch((error: unknown) => ctx.log.warn({ err: error }, 'simulator tick failed'))
      .finally(() => {
        running = false;
      });
  }, TICK_MS);
  timer.unref();
  ctx.boss.once('stopped', () => clearInterval(timer));
}

describeRoute({ method: 'get', path: '/api/v1/simulator', tag: 'Console', summary: 'The store simulator: on or off, and its rate', response: simulatorStateSchema });
describeRoute({ method: 'put', path: '/api/v1/simulator', tag: 'Console', summary: 'Switch the store simulator on or off', body: simulatorUpdateSchema, response: simulatorStateSchema });

export function simulatorRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/simulator', authorize('settings:read'), async (_req, res) => {
    res.json(await readSimulator(ctx.pool));
  });
  router.put('/simulator', authorize('settings:write'), async (req, res) => {
    const input = parseOr422(simulatorUpdateSchema, req.body);
    await withTransaction(ctx.pool, async (tx) => {
      const before = await tx.query<StateRow>(`select enabled, events_per_second from simulator_state for update`);
      const actor = actorFrom(req);
      await tx.query(
        `update simulator_state set enabled = $1, events_per_second = coalesce($2, events_per_second),
                sent_until = case when $1 and not enabled then now() else sent_until end,
                updated_at = now(), updated_by = $3`,
        [input.enabled, input.eventsPerSecond ?? null, actor.label],
      );
      await recordAudit(tx, actor, { action: 'simulator.updated', targetType: 'simulator', targetId: 'store', before: before.rows[0], after: input });
    });
    res.json(await readSimulator(ctx.pool));
  });
  return router;
}
