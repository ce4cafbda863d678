import crypto from 'node:crypto';
import { ConfigError, type Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { DUE_CHANNEL, type ClaimedDelivery, type RecordedRow } from '../db/deliveries.ts';
import { withClient, withTransaction } from '../db/pool.ts';
import { countDeliveryAttempt, observeAcceptedToDelivered, observeHotPath } from '../metrics/registry.ts';
import { ClaimWorker, type ClaimResult } from '../queue/claim-worker.ts';
import { Attempter } from './attempt.ts';
import { SettledHookFailed } from './hooks.ts';
import { decideOutcome, type Ready } from './outcome-policy.ts';
import * as deliveries from './state-machine.ts';
import { acquireSlots } from './throttle.ts';

/**
 * The delivery worker: one ClaimWorker per process (queue/claim-worker.ts, shared with the
 * event outbox) over the deliveries table (its own queue, migration 0009). It wakes on a
 * NOTIFY from any transaction that made deliveries due, claims up to BATCH of them in one statement, sends them concurrently (at most
 * MAX_IN_FLIGHT per process) over keep-alive connections, and records what came back in
 * group commits: whatever outcomes are ready when the previous write ends are written
 * together, outcomes and attempts in one statement, and the runs waiting on them resumed
 * in the same transaction (optimistically without a savepoint; if the resume fails, the
 * write is redone with it isolated). A slow fallback tick picks up retries whose time has
 * come and leases left by a dead worker.
 *
 * A claim holds a lease the worker renews while it sends, so a long send (OAuth token
 * fetch plus request, each up to the delivery timeout) never loses its delivery, while a
 * SIGKILLed worker's deliveries are due again one lease later (10 s by default), under the
 * same id, hence the same webhook-id.
 */
const BATCH = 100;
const MAX_IN_FLIGHT = 64;
/** Under load, claim again once this many sends have ended, not after every one: fewer, fuller claims. */
const REFILL = 16;
const FALLBACK_MS = 500;
const RECORD_BATCH = 500;
/**
 * Outcome writes running at once. One is enough for subscription deliveries (a write of a
 * few hundred rows takes milliseconds), but a write also resumes the runs waiting on step
 * deliveries, in its transaction: a second writer keeps a slow run slice from queueing
 * every other outcome behind it. More writers than that only split the outcomes into
 * smaller batches (at 200 events/s, 4 writers: 2.7 outcomes per write and p50 60-70 ms; 2: about 50-60 ms).
 */
const MAX_WRITERS = 2;
/**
 * A write of few outcomes first waits this long for more. At a steady rate outcomes come
 * one by one, and each write is a transaction of 3 to 6 statements (the outcomes, the runs
 * they resume): at 200 store events/s writes carried about two outcomes, a third of all the
 * statements Tripline ran. The wait delays only the record, never the send.
 */
const RECORD_LINGER_MS = 5;
/** Enough ready outcomes to write at once, without the linger. */
const RECORD_AT_ONCE = 32;

export interface DeliveryTiming {
  leaseSeconds: number;
  heartbeatMs: number;
  /** Token fetch + request, and once more after a 401: the longest one attempt can take. */
  longestAttemptMs: number;
}

/**
 * The lease is TRIPLINE_DELIVERY_LEASE_SECONDS (default 10 s), renewed every third of it while
 * a send runs. Refuses a lease too short to be renewed reliably (a renewal is a database
 * round trip that may queue behind a busy pool) or a delivery timeout so long that one
 * attempt could outlive the endpoint slot that limits its concurrency.
 */
export function deliveryTiming(config: Pick<Config, 'deliveryLeaseSeconds' | 'deliveryTimeoutMs'>): DeliveryTiming {
  const leaseSeconds = config.deliveryLeaseSeconds;
  const longestAttemptMs = 4 * config.deliveryTimeoutMs;
  if (leaseSeconds < 3) {
    throw new ConfigError(
      `TRIPLINE_DELIVERY_LEASE_SECONDS=${leaseSeconds} is too short for a delivery lease: a worker renews its lease every third of it while it sends; use 3 or more (default 10)`,
    );
  }
  if (longestAttemptMs + 1000 > slotTtlMs(config.deliveryTimeoutMs)) {
    throw new ConfigError(`TRIPLINE_DELIVERY_TIMEOUT=${config.deliveryTimeoutMs}ms: one attempt could outlive its endpoint slot`);
  }
  return { leaseSeconds, heartbeatMs: Math.floor((leaseSeconds * 1000) / 3), longestAttemptMs };
}

/** A crashed worker's rate/concurrency slot is freed after the longest attempt and a margin. */
function slotTtlMs(timeoutMs: number): number {
  return 4 * timeoutMs + 30_000;
}

export async function startDeliveryWorkers(ctx: AppContext): Promise<DeliveryWorker> {
  const worker = new DeliveryWorker(ctx);
  await worker.start();
  return worker;
}

export class DeliveryWorker {
  readonly #timing: DeliveryTiming;
  readonly #attempter: Attempter;
  /** Claimed and not yet recorded: id → lease token (renewed by the heartbeat). */
  readonly #held = new Map<string, string>();
  #undecided = 0;
  #full = false;
  #ready: Ready[] = [];
  /** Born leased to this process (an event batch it committed), waiting for room to be sent. */
  #adopted: ClaimedDelivery[] = [];
  #writers = 0;
  #linger: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #claims: ClaimWorker;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #wake = () => this.#claims.wake();
  /** Deliveries born leased to this process: held (the heartbeat keeps their lease) and sent as room allows, no claim. */
  readonly #adopt = (claims: ClaimedDelivery[]) => {
    for (const d of claims) this.#held.set(d.id, d.lease_token);
    this.#adopted.push(...claims);
    this.#sendAdopted(this.#stopped ? Infinity : MAX_IN_FLIGHT - this.#undecided);
  };

  constructor(private readonly ctx: AppContext) {
    this.#timing = deliveryTiming(ctx.config);
    // Deliveries to Tripline's own test inboxes are answered in-process by whoever provides
    // the port (the console): their URL is this server, which the SSRF guard keeps refusing.
    this.#attempter = new Attempter(ctx, (request) => ctx.bus.get('localReceiver')?.(request) ?? Promise.resolve(null));
    this.#claims = new ClaimWorker({
      name: 'deliveries',
      channel: DUE_CHANNEL,
      listener: ctx.listener,
      log: ctx.log,
      tickMs: FALLBACK_MS,
      // A dead worker's leases: due again (the tick then wakes the claim loop).
      tick: () => (this.#poolEnded() ? Promise.resolve() : deliveries.leasesExpired(ctx.pool)),
      work: () => this.#claimBatch(),
    });
  }

  async start(): Promise<void> {
    // The engine, after a batch that made deliveries due, wakes this worker at once instead
    // of waiting for the NOTIFY to come back through the database (one process hop less).
    this.ctx.bus.provide('deliveriesDue', this.#wake);
    this.ctx.bus.provide('deliveriesLeased', this.#adopt);
    await this.#claims.start();
    this.#heartbeat = setInterval(() => {
      if (this.#stopped || this.#poolEnded()) return;
      deliveries
        .leasesRenewed(this.ctx.pool, [...this.#held].map(([id, token]) => ({ id, token })), this.#timing.leaseSeconds)
        .catch((err: unknown) => this.ctx.log.warn({ err }, 'renewing delivery leases failed'));
    }, this.#timing.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Stops claiming, lets the sends under way finish and be recorded (up to `timeoutMs`). */
  async stop(timeoutMs = 20_000): Promise<void> {
    this.#stopped = true;
    this.ctx.bus.withdraw('deliveriesDue', this.#wake);
    this.ctx.bus.withdraw('deliveriesLeased', this.#adopt);
    clearInterval(this.#heartbeat);
    await this.#claims.stop();
    // Born leased here and not yet sent: send them now rather than leave them to their lease's end.
    this.#sendAdopted(Infinity);
    const deadline = Date.now() + timeoutMs;
    while ((this.#undecided > 0 || this.#ready.length > 0 || this.#writers > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #poolEnded(): boolean {
    return (this.ctx.pool as { ended?: boolean }).ended === true;
  }

  /** One claim, as much as there is room for; the sends go on after it returns. */
  async #claimBatch(): Promise<ClaimResult> {
    if (this.#stopped || this.#poolEnded()) return 'none';
    const room = MAX_IN_FLIGHT - this.#undecided;
    if (room <= 0 || (room < REFILL && this.#undecided > 0) || this.#adopted.length > 0) {
      // Claimed again once REFILL sends have ended (#decided).
      this.#full = true;
      return 'none';
    }
    const limit = Math.min(BATCH, room);
    const rows = await deliveries.claimed(this.ctx.pool, {
      limit,
      leaseSeconds: this.#timing.leaseSeconds,
      token: crypto.randomUUID(),
      failureWindowSeconds: this.ctx.config.endpointFailureWindowMs / 1000,
    });
    this.#dispatch(rows);
    return rows.length < limit ? 'none' : 'full';
  }

  #dispatch(rows: ClaimedDelivery[]): void {
    const limited = new Map<string, ClaimedDelivery[]>();
    const claimedAt = Date.now();
    for (const d of rows) {
      observeHotPath('delivery_claimed', d.accepted_at, claimedAt);
      this.#held.set(d.id, d.lease_token);
      this.#undecided++;
      if (!d.enabled) this.#decided({ kind: 'disabled', d });
      else if (d.rate_limit_per_second !== null || d.max_concurrency !== null) limited.set(d.endpoint_id, [...(limited.get(d.endpoint_id) ?? []), d]);
      else void this.#send(d, false);
    }
    for (const group of limited.values()) void this.#sendLimited(group);
  }

  async #send(d: ClaimedDelivery, slot: boolean): Promise<void> {
    const result = await this.#attempter.attempt(d);
    observeHotPath('delivery_sent', d.accepted_at);
    this.#decided({ kind: 'sent', d, result, slot });
  }

  /** Endpoints with a rate limit or concurrency cap take slots shared by every process; the rest wait a little. */
  async #sendLimited(group: ClaimedDelivery[]): Promise<void> {
    const first = group[0]!;
    let slots: Awaited<ReturnType<typeof acquireSlots>>;
    try {
      slots = await withTransaction(this.ctx.pool, (tx) =>
        acquireSlots(tx, {
          endpointId: first.endpoint_id,
          deliveryIds: group.map((d) => d.id),
          ratePerSecond: first.rate_limit_per_second,
          maxConcurrency: first.max_concurrency,
          ttlMs: slotTtlMs(this.ctx.config.deliveryTimeoutMs),
        }),
      );
    } catch (err) {
      this.ctx.log.warn({ err, endpointId: first.endpoint_id }, 'endpoint slots unavailable; trying again shortly');
      slots = { granted: [], refused: group.map((d) => ({ deliveryId: d.id, retryInMs: 1000 })) };
    }
    const byId = new Map(group.map((d) => [d.id, d]));
    for (const r of slots.refused) this.#decided({ kind: 'throttled', d: byId.get(r.deliveryId)!, retryInMs: r.retryInMs });
    await Promise.all(slots.granted.map((id) => this.#send(byId.get(id)!, true)));
  }

  #sendAdopted(room: number): void {
    if (room <= 0 || this.#adopted.length === 0) return;
    this.#dispatch(this.#adopted.splice(0, room));
  }

  #decided(ready: Ready): void {
    this.#undecided--;
    this.#ready.push(ready);
    this.#sendAdopted(MAX_IN_FLIGHT - this.#undecided);
    if (this.#ready.length >= RECORD_AT_ONCE || this.#stopped) this.#startWriter();
    else this.#linger ??= setTimeout(() => this.#startWriter(), RECORD_LINGER_MS);
    if (this.#full && this.#adopted.length === 0 && MAX_IN_FLIGHT - this.#undecided >= REFILL) {
      this.#full = false;
      this.#claims.wake();
    }
  }

  #startWriter(): void {
    clearTimeout(this.#linger);
    this.#linger = undefined;
    if (this.#writers >= MAX_WRITERS || this.#ready.length === 0) return;
    this.#writers++;
    void this.#flush().finally(() => {
      this.#writers--;
    });
  }

  /** Group commit: what is ready when a write ends goes in the next one (never throws). */
  async #flush(): Promise<void> {
    while (this.#ready.length) {
      const batch = this.#ready.splice(0, RECORD_BATCH);
      try {
        await this.#record(batch);
      } catch (err) {
        // One bad row must not lose its neighbours' outcomes: write them one by one. One
        // that still fails keeps its lease until it expires, and is sent again.
        this.ctx.log.warn({ err, count: batch.length }, 'recording a batch of deliveries failed; recording them one by one');
        for (const item of batch) await this.#record([item]).catch((e: unknown) => this.ctx.log.error({ err: e, deliveryId: item.d.id }, 'recording a delivery failed'));
      }
      for (const item of batch) if (this.#held.get(item.d.id) === item.d.lease_token) this.#held.delete(item.d.id);
    }
  }

  async #record(batch: Ready[]): Promise<void> {
    const decisions = batch.map((item) => decideOutcome(item, this.ctx.config));
    let settled: RecordedRow[];
    try {
      // Most writes are successes of subscription deliveries: one statement, atomic by itself,
      // so no BEGIN and COMMIT round trips around it. (An endpoint another process marked
      // failing meanwhile is cleared by a statement of its own after it, as it would be next time.)
      const oneStatement = batch.every((item, i) => item.kind === 'sent' && item.result.succeeded && !item.slot && item.d.run_id === null && !item.d.failing_since && !decisions[i]!.disable);
      settled = await (oneStatement ? withClient : withTransaction)(this.ctx.pool, (tx) => deliveries.attempted(this.ctx, tx, batch, decisions, false));
    } catch (err) {
      // The resume of the settled runs failed: the outcomes went with it. Write them again,
      // this time with the resume isolated (it falls back to run.execute jobs).
      if (!(err instanceof SettledHookFailed)) throw err;
      settled = await withTransaction(this.ctx.pool, (tx) => deliveries.attempted(this.ctx, tx, batch, decisions, true));
    }
    // An ordered endpoint's delivery that settled frees the next one of its subject: claim it
    // now rather than at the next NOTIFY or tick (up to FALLBACK_MS later).
    if (settled.some((r) => r.ordered && r.status !== 'pending')) this.#claims.wake();
    const delivered = new Set(settled.filter((r) => r.status === 'succeeded').map((r) => r.deliveryId));
    const recordedAt = Date.now();
    for (const item of batch) {
      observeHotPath('delivery_recorded', item.d.accepted_at, recordedAt);
      if (item.kind !== 'sent') continue;
      countDeliveryAttempt(item.result.succeeded ? 'succeeded' : 'failed', item.result.outcome.durationMs);
      if (delivered.has(item.d.id) && item.d.accepted_at) observeAcceptedToDelivered(item.d.accepted_at);
    }
  }
}
