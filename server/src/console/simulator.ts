import { simulatorStateSchema, simulatorUpdateSchema, type SimulatorState } from '@tripline/shared';
import { Router } from 'express';
import { actorFrom, recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { lockSimulatorForChange, lockSimulatorForTick, readSimulatorRow, setSimulatorSentUntil, updateSimulator } from '../db/console.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { parseEventBody } from '../engine/ingest/validate.ts';
import { storeEvents } from '../engine/store-events.ts';
import { declareRoutes } from '../http/route.ts';
import { StoreSimulator } from '../simulator/store.ts';

const TICK_MS = 1000;
/** After a pause (or a crash), never send more than this many seconds' worth at once. */
const MAX_CATCH_UP_SECONDS = 5;

export async function readSimulator(pool: Pool): Promise<SimulatorState> {
  const r = await readSimulatorRow(pool);
  return { enabled: r.enabled, eventsPerSecond: r.events_per_second, updatedAt: r.updated_at.toISOString(), updatedBy: r.updated_by };
}

/**
 * Runs one simulator tick: whichever process locks the single state row (SKIP LOCKED, so
 * the others pass) sends the events due since `sent_until`, through the same parsing and
 * storing as POST /api/v1/events, in the same transaction that advances `sent_until`.
 * So however many worker processes run, the shop sends at the configured rate, once.
 */
export async function simulatorTick(pool: Pool, sim: StoreSimulator, now = new Date()): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const state = await lockSimulatorForTick(tx);
    if (!state?.enabled) return 0;
    const from = Math.max(state.sent_until?.getTime() ?? 0, now.getTime() - MAX_CATCH_UP_SECONDS * 1000);
    const due = Math.floor(((now.getTime() - from) / 1000) * state.events_per_second);
    if (due < 1) {
      if (!state.sent_until) await setSimulatorSentUntil(tx, now);
      return 0;
    }
    const { envelopes } = parseEventBody(sim.batch(due), 'simulator');
    await storeEvents(tx, envelopes);
    // Advance by exactly the time those events stand for, keeping fractional rates honest.
    await setSimulatorSentUntil(tx, new Date(from + (due / state.events_per_second) * 1000));
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
    simulatorTick(ctx.pool, sim)
      .catch((error: unknown) => ctx.log.warn({ err: error }, 'simulator tick failed'))
      .finally(() => {
        running = false;
      });
  }, TICK_MS);
  timer.unref();
  ctx.boss.once('stopped', () => clearInterval(timer));
}

export function simulatorRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);
  const tag = 'Console';
  route(
    { method: 'get', path: '/simulator', access: 'settings:read', tag, summary: 'The store simulator: on or off, and its rate', response: simulatorStateSchema },
    () => readSimulator(ctx.pool),
  );
  route(
    { method: 'put', path: '/simulator', access: 'settings:write', tag, summary: 'Switch the store simulator on or off', body: simulatorUpdateSchema, response: simulatorStateSchema },
    async ({ req, body: input }) => {
      await withTransaction(ctx.pool, async (tx) => {
        const before = await lockSimulatorForChange(tx);
        const actor = actorFrom(req);
        await updateSimulator(tx, { enabled: input.enabled, eventsPerSecond: input.eventsPerSecond ?? null, updatedBy: actor.label });
        await recordAudit(tx, actor, { action: 'simulator.updated', targetType: 'simulator', targetId: 'store', before, after: input });
      });
      return readSimulator(ctx.pool);
    },
  );
  return router;
}
