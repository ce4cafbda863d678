import type { EventEnvelope } from '@tripline/shared';
import { insertEvents, insertLeasedEvents } from '../../db/events.ts';
import type { Ports } from '../../bus.ts';
import type { Pool } from '../../db/pool.ts';
import { countEventsAccepted, observeHotPath } from '../../metrics/registry.ts';

/**
 * Group commit for ingest: concurrent requests' events wait a bounded moment (`maxWaitMs`
 * after the first one, or until `maxEvents` are waiting) and are stored in ONE transaction,
 * so a commit (an fsync) is shared instead of paid per request. Each request still gets its
 * answer only after that commit. If the shared transaction fails, every request in it is
 * stored again on its own, so only a request that fails by itself gets an error (its own).
 * The insert is one statement, so it runs as its own transaction: no BEGIN and COMMIT
 * round trips around it (at a steady rate these were two thirds of ingest's statements).
 */
interface Waiting {
  envelopes: EventEnvelope[];
  resolve: (inserted: Set<string>) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  maxWaitMs: number;
  maxEvents: number;
}

export class IngestBatcher {
  private waiting: Waiting[] = [];
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    /** Wakes this process's event claim worker after a commit that stored events (wired at start-up). */
    private readonly stored: () => void,
    /** This process's event worker, when it takes events born leased to it (Ports['eventsBornLeased']). */
    private readonly worker: () => Ports['eventsBornLeased'] | undefined = () => undefined,
    private readonly options: GroupCommitOptions = { maxWaitMs: 2, maxEvents: 500 },
  ) {}

  /** Resolves with the ids of `envelopes` that were new (the rest are duplicates). */
  store(envelopes: EventEnvelope[]): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ envelopes, resolve, reject });
      this.count += envelopes.length;
      if (this.count >= this.options.maxEvents) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    this.count = 0;
    if (batch.length > 0) void this.commit(batch);
  }

  private async commit(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return this.commitAlone(batch[0]!);
    // An id sent by two requests of one batch belongs to the first: the second hears "duplicate".
    const owner = new Map<string, Waiting>();
    for (const w of batch) for (const e of w.envelopes) if (!owner.has(e.id)) owner.set(e.id, w);
    const unique = [...owner.keys()];
    const byId = new Map<string, EventEnvelope>();
    for (const w of batch) for (const e of w.envelopes) if (!byId.has(e.id)) byId.set(e.id, e);
    let inserted: Set<string>;
    try {
      inserted = await this.insert(unique.map((id) => byId.get(id)!));
    } catch {
      await Promise.all(batch.map((w) => this.commitAlone(w)));
      return;
    }
    countAccepted(unique.map((id) => byId.get(id)!).filter((e) => inserted.has(e.id)));
    for (const w of batch) observeHotPath('stored', w.envelopes[0]?.receivedAt);
    for (const w of batch) w.resolve(new Set(w.envelopes.filter((e) => inserted.has(e.id) && owner.get(e.id) === w).map((e) => e.id)));
  }

  /**
   * Stores the events: with a worker in this process that has room, born leased to it and
   * handed over after the commit (processed from memory, no claim); else for any worker to
   * claim, woken by a NOTIFY (and this process's worker at once).
   */
  private async insert(envelopes: EventEnvelope[]): Promise<Set<string>> {
    const worker = this.worker();
    const leaseSeconds = worker?.leaseSeconds() ?? null;
    if (worker && leaseSeconds !== null) {
      const claimed = await insertLeasedEvents(this.pool, envelopes, leaseSeconds);
      if (claimed.length > 0) worker.adopt(claimed);
      return new Set(claimed.map((c) => c.envelope.id));
    }
    const inserted = await insertEvents(this.pool, envelopes);
    if (inserted.size > 0) this.stored();
    return inserted;
  }

  private async commitAlone(w: Waiting): Promise<void> {
    try {
      const inserted = await this.insert(w.envelopes);
      countAccepted(w.envelopes.filter((e) => inserted.has(e.id)));
      observeHotPath('stored', w.envelopes[0]?.receivedAt);
      w.resolve(inserted);
    } catch (error) {
      w.reject(error);
    }
  }
}

function countAccepted(envelopes: EventEnvelope[]): void {
  const byType = new Map<string, number>();
  for (const e of envelopes) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  for (const [type, n] of byType) countEventsAccepted(type, n);
}
