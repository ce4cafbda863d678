import pg from 'pg';
import type { AppContext } from '../../context.ts';
import { claimDueEvents, listenForEvents, redriveUnprocessed } from '../../db/events.ts';
import { pokeLocalDeliveries } from '../../delivery/worker.ts';
import { observeHotPath } from '../../metrics/registry.ts';
import { processClaimed } from './process-batch.ts';

/**
 * How a worker process gets events: LISTEN on the channel every stored batch NOTIFYs, then
 * claim due events with a lease and process them in batches until none are due. The slow
 * poll only picks up what no NOTIFY announces: leases that ran out (a killed worker's
 * events) and retries whose backoff has passed. Nothing polls on the hot path.
 */
export const CLAIM_BATCH = 200;
/** A claimed event comes back to any worker this long after its worker stopped (SIGKILL). */
export const LEASE_SECONDS = 10;
const FALLBACK_POLL_MS = 1000;
/**
 * Batches in flight per process while there is a backlog (the last claim was full): one is
 * in Node while another is in PostgreSQL. Without a backlog one loop claims: a second one
 * only splits a steady stream into smaller batches that queue for the same CPU (at 200
 * events/s, p50 44-48 ms with one loop against 57-60 ms with two).
 */
const IN_FLIGHT = 2;
const SWEEP_EVERY_MS = 60_000;
/** An event still unprocessed (parked, or never claimed) this long is re-driven by the sweeper. */
export const SWEEP_AFTER_SECONDS = 300;

export interface ClaimLoop {
  stop(): Promise<void>;
}

// Keyed by the process's pool: tests run several Tripline instances in one process.
const localClaimers = new WeakMap<object, () => void>();

/**
 * Called by ingest right after its commit: this process's claim loop claims at once
 * instead of waiting for the NOTIFY to come back through the database (one process hop
 * less on every event's path). Other processes still hear the NOTIFY.
 */
export function wakeLocalClaimers(pool: object): void {
  localClaimers.get(pool)?.();
}

export async function startClaimLoop(app: AppContext): Promise<ClaimLoop> {
  let stopped = false;
  // Pools end when the process stops; the loop stops with them.
  const ending = () => stopped || (app.pool as unknown as { ending: boolean }).ending;
  let pending = true;
  const waiters = new Set<() => void>();
  const signal = () => {
    pending = true;
    for (const w of waiters) w();
  };

  const url = (app.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  let listener: pg.Client | undefined;
  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url, application_name: 'tripline-listen' });
    client.on('notification', signal);
    client.on('error', (err) => {
      if (ending()) return;
      app.log.warn({ err }, 'event listener connection lost; polling until it is back');
      client.end().catch(() => {});
      if (listener === client) listener = undefined;
      setTimeout(() => void listen().catch(() => {}), FALLBACK_POLL_MS).unref();
    });
    try {
      await client.connect();
      await listenForEvents(client);
      listener = client;
      signal();
    } catch (error) {
      await client.end().catch(() => {});
      if (ending()) return;
      setTimeout(() => void listen().catch(() => {}), FALLBACK_POLL_MS).unref();
      throw error;
    }
  };
  await listen();
  localClaimers.set(app.pool, signal);

  const sleep = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        pending = true;
        done();
      }, FALLBACK_POLL_MS);
      waiters.add(done);
    });


  let backlog = false;
  const loop = async (index: number) => {
    const idle = () => !pending || (index > 0 && !backlog);
    while (!ending()) {
      if (idle()) await sleep();
      if (ending()) break;
      if (idle()) continue;
      pending = false;
      try {
        const claimed = await claimDueEvents(app.pool, CLAIM_BATCH, LEASE_SECONDS);
        backlog = claimed.length === CLAIM_BATCH;
        if (claimed.length === 0) continue;
        const claimedAt = Date.now();
        for (const c of claimed) observeHotPath('claimed', c.envelope.receivedAt, claimedAt);
        // A full batch means more are waiting: claim again right away.
        if (claimed.length === CLAIM_BATCH) signal();
        const outcome = await processClaimed(app, claimed);
        // What the batch made due is sent by this process's delivery worker right away.
        if (outcome.processed > 0) pokeLocalDeliveries(app.pool);
        const processedAt = Date.now();
        for (const c of claimed) observeHotPath('processed', c.envelope.receivedAt, processedAt);
        signal();
      } catch (error) {
        if (ending()) break;
        app.log.warn({ err: error }, 'claiming events failed; retrying');
        await new Promise((r) => setTimeout(r, 200));
        pending = true;
      }
    }
  };

  const loops = Array.from({ length: IN_FLIGHT }, (_, index) => loop(index));
  const sweeper = setInterval(() => {
    if (ending()) return;
    redriveUnprocessed(app.pool, SWEEP_AFTER_SECONDS)
      .then((r) => r.redriven && app.log.warn({ redriven: r.redriven }, 'sweeper re-drove parked events'))
      .catch((err: unknown) => app.log.warn({ err }, 'event sweep failed'));
  }, SWEEP_EVERY_MS);
  sweeper.unref();
  // The process stops pg-boss before it ends the pool: stop claiming then, so a batch is
  // not claimed just before the pool goes (it would wait for its lease to run out).
  app.boss.once('stopped', () => void stop());
  const closer = setInterval(() => {
    if (ending()) void stop();
  }, 500);
  closer.unref();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      stopped = true;
      if (localClaimers.get(app.pool) === signal) localClaimers.delete(app.pool);
      clearInterval(sweeper);
      clearInterval(closer);
      for (const w of waiters) w();
      await Promise.allSettled(loops);
      await listener?.end().catch(() => {});
    })());
  return { stop };
}
