import type { NotificationListener } from '../db/listener.ts';
import type { Logger } from '../logger.ts';

/**
 * How a process picks up work from a table that is its own queue (the events outbox, the
 * deliveries): after pg-boss's Worker and Notifier. A notification on the queue's channel
 * (or a local wake from this process) marks work pending; `loops` claim loops take turns
 * calling `work`, which claims one batch and handles it; the slow `tick` picks up what no
 * notification announces (retries whose time came, leases that ran out) and wakes the
 * loops. Nothing polls on the hot path.
 *
 * `work` answers what the claim found: `full` (a whole batch: more are surely waiting, and
 * extra loops join in), `some` (claim again to be sure) or `none` (sleep until woken).
 */
export type ClaimResult = 'full' | 'some' | 'none';

export interface ClaimWorkerOptions {
  name: string;
  /** The NOTIFY channel that announces new work. */
  channel: string;
  listener: NotificationListener;
  log: Logger;
  /** Claims and handles one batch. */
  work: () => Promise<ClaimResult>;
  /** The fallback: how often `tick` runs and the loops look again without a notification. */
  tickMs: number;
  tick?: () => Promise<unknown>;
  /** Loops claiming at once while there is a backlog (one when idle; default 1). */
  loops?: number;
  /** Wait after a failed claim before the next (the database may be down: no tight loop). */
  errorBackoffMs?: number;
  /** Called on each notification on the channel (work announced by the database, not by this process). */
  notified?: () => void;
}

export class ClaimWorker {
  #pending = true;
  #backlog = false;
  #stopped = false;
  readonly #sleepers = new Set<() => void>();
  #loops: Promise<void>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly opts: ClaimWorkerOptions) {}

  async start(): Promise<void> {
    this.#unsubscribe = await this.opts.listener.subscribe(this.opts.channel, () => {
      this.opts.notified?.();
      this.wake();
    });
    this.#timer = setInterval(() => {
      if (this.#stopped) return;
      const tick = this.opts.tick?.() ?? Promise.resolve();
      tick.then(
        () => this.wake(),
        (err: unknown) => {
          this.opts.log.warn({ err, worker: this.opts.name }, 'claim worker tick failed');
          this.wake();
        },
      );
    }, this.opts.tickMs);
    this.#timer.unref();
    this.#loops = Array.from({ length: this.opts.loops ?? 1 }, (_, i) => this.#loop(i));
  }

  /** Something may be due: a sleeping loop claims now, a busy one claims again when it is done. */
  wake(): void {
    this.#pending = true;
    for (const wake of this.#sleepers) wake();
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Stops claiming; resolves once the batch under way (if any) is handled. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const wake of this.#sleepers) wake();
    await Promise.allSettled(this.#loops);
    await this.#unsubscribe?.();
  }

  async #loop(index: number): Promise<void> {
    // Loops past the first claim only while the last claim came back full.
    const idle = () => !this.#pending || (index > 0 && !this.#backlog);
    while (!this.#stopped) {
      if (idle()) await this.#sleep();
      if (this.#stopped) break;
      if (idle()) continue;
      this.#pending = false;
      try {
        const found = await this.opts.work();
        this.#backlog = found === 'full';
        if (found !== 'none') this.wake();
      } catch (err) {
        if (this.#stopped) break;
        this.opts.log.warn({ err, worker: this.opts.name }, 'claiming failed; retrying');
        await new Promise((r) => setTimeout(r, this.opts.errorBackoffMs ?? 200));
        this.#pending = true;
      }
    }
  }

  #sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#sleepers.delete(done);
        resolve();
      };
      this.#sleepers.add(done);
    });
  }
}
