import type { EventEnvelope } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { insertEvents, insertLeasedEvents, type ClaimedEvent } from '../../db/events.ts';
import type { PoolClient } from '../../db/pool.ts';
import { insertRunsWithSteps, insertWaits, writeSliceEnds, type NewRunRow, type RunUpdate, type StepWrite, type WaitRow } from '../../db/runs.ts';
import type { BirthLease, ClaimedDelivery } from '../../db/deliveries.ts';
import { createBatchDeliveries, fanOutRows, type Subscriptions } from '../../delivery/fan-out.ts';
import { clientDb } from '../../queue/boss.ts';
import { queues } from '../../queue/queues.ts';
import { countRun } from '../../metrics/registry.ts';
import { ownInput } from './stored-history.ts';
import { CustomerBook } from '../state/customer-book.ts';
import { ProductBook } from '../state/product-book.ts';

interface StepDelivery {
  endpointId: string;
  runId: string;
  nodeId: string;
  /** The for_each iteration (-1 outside a loop): one delivery per run, node and iteration. */
  iteration: number;
  loop: { item: unknown; index: number } | undefined;
  envelope: EventEnvelope;
  vars: Record<string, unknown>;
  /** The step row that waits for it: its output gets the delivery id. */
  step: StepWrite;
}

/** A wait_for_event step's wait, with what matching needs while it is not yet written. */
export interface PendingWait extends WaitRow {
  trigger: EventEnvelope;
  match: unknown;
}

/** Work that needs this buffer's rows in the database first (waking a run parked in the same batch). */
export type AfterFlush = (app: AppContext, tx: PoolClient) => Promise<void>;

/**
 * The writes of a batch, collected while its events and runs are processed and flushed
 * at the end with one multi-row statement per table: runs with their steps, step updates,
 * deliveries, run jobs, emitted events. Per-event work happens in a child buffer that is
 * absorbed only when the event's savepoint is released, so a rolled-back event leaves
 * nothing behind. Reads that do not change within a batch are memoised here too.
 */
export class RunWrites {
  readonly newRuns: NewRunRow[] = [];
  readonly newSteps: StepWrite[] = [];
  readonly stepUpserts: StepWrite[] = [];
  readonly runUpdates: RunUpdate[] = [];
  readonly deliveries: StepDelivery[] = [];
  readonly waits: PendingWait[] = [];
  readonly afterFlush: AfterFlush[] = [];
  readonly jobs: { runId: string; startAfter?: Date }[] = [];
  readonly events: EventEnvelope[] = [];
  readonly fanOut: EventEnvelope[] = [];
  /** Statements the flush ran (for the bench's statements-per-run figure). */
  statements = 0;
  /**
   * Set by an event batch in a process that also sends: its deliveries are born leased to
   * this process, and `claims` holds them for its delivery worker once the batch commits.
   */
  lease: BirthLease | undefined;
  readonly claims: ClaimedDelivery[] = [];
  /** Deliveries the flush left for a claim (not born leased). */
  pendingDeliveries = 0;
  /** With `eventLease` (seconds), the events this flush emits are born leased to this process too, handed over in `bornEvents`. */
  eventLease: number | undefined;
  readonly bornEvents: ClaimedEvent[] = [];
  /** The endpoints subscribed to the batch's event types, read with its other reads (fan-out reads them itself otherwise). */
  subscriptions: Subscriptions | undefined;

  constructor(
    /**
     * The batch's customers, read (and locked) before its events are applied and changed in
     * memory; written with the batch's other writes. A child's changes reach it on `absorb`.
     */
    readonly customers: CustomerBook = CustomerBook.readOnly([], []),
    private readonly memo = new Map<string, Promise<unknown>>(),
    /** The batch's buffer, for a child: what earlier events of the batch wrote (their waits). */
    readonly parent?: RunWrites,
    /** The batch's stock levels and thresholds, as `customers` (read and locked before its events are applied). */
    readonly products: ProductBook = ProductBook.empty(),
  ) {}

  child(): RunWrites {
    return new RunWrites(this.customers.child(), this.memo, this, this.products.child());
  }

  /** Waits created earlier in this batch (not yet in run_waits) for this event type and key. */
  pendingWaits(eventType: string, correlationKey: string): PendingWait[] {
    const found: PendingWait[] = [];
    for (let w: RunWrites | undefined = this; w; w = w.parent) {
      for (const wait of w.waits) if (wait.eventType === eventType && wait.correlationKey === correlationKey) found.push(wait);
    }
    return found;
  }

  /** Whether this batch already wrote (unflushed) a slice end of this run: its row in the database is behind. */
  wroteRun(runId: string): boolean {
    for (let w: RunWrites | undefined = this; w; w = w.parent) {
      if (w.runUpdates.some((u) => u.id === runId) || w.newRuns.some((r) => r.id === runId)) return true;
    }
    return false;
  }

  absorb(child: RunWrites): void {
    this.customers.absorb(child.customers);
    this.products.absorb(child.products);
    this.newRuns.push(...child.newRuns);
    this.newSteps.push(...child.newSteps);
    this.stepUpserts.push(...child.stepUpserts);
    this.runUpdates.push(...child.runUpdates);
    this.deliveries.push(...child.deliveries);
    this.waits.push(...child.waits);
    this.afterFlush.push(...child.afterFlush);
    this.jobs.push(...child.jobs);
    this.events.push(...child.events);
    this.fanOut.push(...child.fanOut);
  }

  /** Seeds a read the caller already has (a batch prefetch), so `cached` does not query for it. */
  prime(key: string, value: unknown): void {
    this.memo.set(key, Promise.resolve(value));
  }

  /** A read that is the same for the whole batch (settings, routing, endpoint state). */
  cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      this.memo.set(key, hit);
      hit.catch(() => this.memo.delete(key));
    }
    return hit;
  }

  get empty(): boolean {
    return (
      this.newRuns.length + this.stepUpserts.length + this.runUpdates.length + this.deliveries.length + this.waits.length + this.afterFlush.length +
        this.jobs.length + this.events.length + this.fanOut.length ===
      0
    );
  }

  async flush(app: AppContext, tx: PoolClient): Promise<void> {
    // Customer state first (steps read it from the book, not the database, until then).
    this.statements += await this.customers.flush(tx);
    this.statements += await this.products.flush(tx);
    // A step row keeps the step's own input, not a copy of every variable of the run.
    for (const s of this.newSteps) s.input = ownInput(s.input);
    for (const s of this.stepUpserts) s.input = ownInput(s.input);
    // Step deliveries and the events' subscription deliveries: one insert.
    const fanOut = await fanOutRows(tx, this.fanOut, this.subscriptions);
    if (this.fanOut.length > 0 && !(this.subscriptions && this.fanOut.every((e) => this.subscriptions!.types.has(e.type)))) this.statements++;
    if (this.deliveries.length + fanOut.length > 0) {
      const made = await createBatchDeliveries(tx, this.deliveries.map(({ step: _step, ...d }) => d), fanOut, this.lease);
      this.statements += 1;
      made.steps.forEach((result, i) => {
        const d = this.deliveries[i]!;
        // The executor checked the endpoint in this transaction; only a concurrent change gets here.
        if (!result.ok) throw new Error(`${d.nodeId}: ${result.error}`);
        d.step.output = { deliveryId: result.deliveryId, ...(d.step.output as object) };
        if (result.claim) this.claims.push(result.claim);
        else if (!result.existing) this.pendingDeliveries++;
        // A step executed again (a slice re-run) gets its earlier delivery, which may have
        // settled already, so no settle will wake the run: look again in a job.
        if (result.existing) this.jobs.push({ runId: d.runId });
      });
      for (const d of made.fanOut) {
        if (d.claim) this.claims.push(d.claim);
        else this.pendingDeliveries++;
      }
    }
    if (this.newRuns.length > 0) {
      await insertRunsWithSteps(tx, this.newRuns, this.newSteps);
      this.statements++;
      countRun('started', this.newRuns.length);
    }
    // Counted as written: a batch rolled back and redone counts twice, which a rate tolerates.
    for (const r of [...this.newRuns, ...this.runUpdates]) {
      if (r.status === 'succeeded' || r.status === 'failed' || r.status === 'cancelled') countRun(r.status);
    }
    if (this.stepUpserts.length + this.runUpdates.length > 0) {
      await writeSliceEnds(tx, this.stepUpserts, this.runUpdates);
      this.statements++;
    }
    if (this.waits.length > 0) {
      await insertWaits(tx, this.waits);
      this.statements++;
    }
    if (this.jobs.length > 0) {
      await app.boss.insert(
        queues.executeRun.name,
        this.jobs.map((j) => ({ data: { runId: j.runId }, ...(j.startAfter ? { startAfter: j.startAfter } : {}) })),
        { db: clientDb(tx) },
      );
      this.statements++;
    }
    if (this.events.length > 0) {
      if (this.eventLease === undefined) await insertEvents(tx, this.events);
      else this.bornEvents.push(...(await insertLeasedEvents(tx, this.events, this.eventLease)));
      this.statements++;
    }
    for (const after of this.afterFlush) await after(app, tx);
  }
}
