import type { AppContext } from '../../context.ts';
import type { Ports } from '../../bus.ts';
import { claimDueEvents, EVENTS_CHANNEL, redriveUnprocessed, releaseEvents, type ClaimedEvent } from '../../db/events.ts';
import { observeHotPath } from '../../metrics/registry.ts';
import { ClaimWorker } from '../../queue/claim-worker.ts';
import { processClaimed } from './process-batch.ts';

/**
 * How a worker process gets events: the events table is the queue (an outbox), picked up
 * by a ClaimWorker (queue/claim-worker.ts, shared with the delivery worker). A stored batch
 * NOTIFYs; the worker claims due events with a lease and processes them in batches until
 * none are due. The slow tick only picks up what no NOTIFY announces: leases that ran out
 * (a killed worker's events) and retries whose backoff has passed.
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

/** Events born leased to this process, waiting in memory, beyond which ingest stops leasing to it. */
const MAX_ADOPTED = 2 * CLAIM_BATCH;

export async function startClaimLoop(app: AppContext): Promise<ClaimLoop> {
  const adopted: ClaimedEvent[] = [];
  /** The database announced events (a NOTIFY): the next round claims, whatever is in memory. */
  let announced = false;
  /** Subjects of the adopted batches being processed: a second loop leaves their later events for after them. */
  const inFlight = new Map<string, number>();
  /**
   * Up to a batch of adopted events, in order, leaving in the queue those whose subject is in
   * a batch in flight (and every later one of that subject): a subject's events are applied
   * one batch after another, never in two transactions at once.
   */
  const takeAdopted = (): ClaimedEvent[] => {
    const taken: ClaimedEvent[] = [];
    const kept: ClaimedEvent[] = [];
    const held = new Set<string>();
    for (const c of adopted) {
      const subject = c.envelope.subject;
      if (taken.length >= CLAIM_BATCH || (subject !== null && (inFlight.has(subject) || held.has(subject)))) {
        if (subject !== null) held.add(subject);
        kept.push(c);
      } else taken.push(c);
    }
    adopted.splice(0, adopted.length, ...kept);
    return taken;
  };
  // Pools end when the process stops; the loop stops with them.
  const ending = () => (app.pool as unknown as { ending: boolean }).ending;
  const worker = new ClaimWorker({
    name: 'events',
    channel: EVENTS_CHANNEL,
    listener: app.listener,
    log: app.log,
    tickMs: FALLBACK_POLL_MS,
    loops: IN_FLIGHT,
    notified: () => {
      announced = true;
    },
    // Once a second a claim runs whatever memory holds: leases that ran out (a dead worker's events) come back.
    tick: async () => {
      announced = true;
    },
    work: async () => {
      if (ending()) return 'none';
      // Events born leased to this process (stored by its ingest, or derived by its batches)
      // from memory; a claim when there are none, or when the database announced work (other
      // processes' events, events given back): memory never starves the claim.
      let claimed: ClaimedEvent[] = [];
      if (announced || adopted.length === 0) {
        announced = false;
        claimed = await claimDueEvents(app.pool, CLAIM_BATCH, LEASE_SECONDS);
      }
      const fromMemory = claimed.length === 0 && adopted.length > 0;
      if (fromMemory) claimed = takeAdopted();
      // Every adopted event waits behind a batch in flight with its subject: that batch wakes the loop when done.
      if (claimed.length === 0) return 'none';
      const subjects = claimed.map((c) => c.envelope.subject).filter((x): x is string => x !== null);
      for (const subject of subjects) inFlight.set(subject, (inFlight.get(subject) ?? 0) + 1);
      const claimedAt = Date.now();
      for (const c of claimed) observeHotPath('claimed', c.envelope.receivedAt, claimedAt);
      let outcome;
      try {
        outcome = await processClaimed(app, claimed);
      } finally {
        for (const subject of subjects) {
          const n = inFlight.get(subject)! - 1;
          if (n === 0) inFlight.delete(subject);
          else inFlight.set(subject, n);
        }
        if (subjects.length > 0 && adopted.length > 0) worker.wake();
      }
      // What the batch made is sent by this process's delivery worker right away: the
      // deliveries born leased to it from memory, the rest (ordered endpoints) by a claim.
      if (outcome.claims.length > 0) app.bus.get('deliveriesLeased')?.(outcome.claims);
      if (outcome.bornEvents.length > 0) bornLeased.adopt(outcome.bornEvents);
      if (outcome.pending > 0) app.bus.get('deliveriesDue')?.();
      const processedAt = Date.now();
      for (const c of claimed) observeHotPath('processed', c.envelope.receivedAt, processedAt);
      // A full batch means more are waiting; after a claimed batch, look again. After the last
      // adopted ones, nothing says the database holds more: a NOTIFY or an adoption wakes the loop.
      if (claimed.length === CLAIM_BATCH) {
        // A full claim: the database holds more; claim again before going back to memory.
        if (!fromMemory) announced = true;
        return 'full';
      }
      return fromMemory && adopted.length === 0 ? 'none' : 'some';
    },
  });
  // Ingest in this process wakes the worker right after its commit, instead of waiting for
  // the NOTIFY to come back through the database (one process hop less on every event's path).
  const wake = () => worker.wake();
  app.bus.provide('eventsStored', wake);
  // Better still, while this worker keeps up, ingest stores events leased to it and hands
  // them over: processed from memory, no claim. Past a backlog of MAX_ADOPTED (well under a
  // lease's worth of work) they are stored for any worker to claim instead, so others help.
  const bornLeased: Ports['eventsBornLeased'] = {
    leaseSeconds: () => (worker.stopped || adopted.length >= MAX_ADOPTED ? null : LEASE_SECONDS),
    adopt: (events) => {
      // In seq order (a batch's derived events and what ingest stored meanwhile interleave), so a subject's events go in order.
      adopted.push(...events);
      adopted.sort((a, b) => a.seq - b.seq);
      worker.wake();
    },
  };
  app.bus.provide('eventsBornLeased', bornLeased);
  await worker.start();

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
      app.bus.withdraw('eventsStored', wake);
      app.bus.withdraw('eventsBornLeased', bornLeased);
      // Held here and not processed: given back, so another worker takes them now rather than after their lease.
      await releaseEvents(app.pool, adopted.splice(0).map((c) => c.envelope.id)).catch(() => {});
      clearInterval(sweeper);
      clearInterval(closer);
      await worker.stop();
    })());
  return { stop };
}
