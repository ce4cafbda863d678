import { activitySchema, type Activity } from '@tripline/shared';
import crypto from 'node:crypto';
import { ACTIVITY_CHANNEL, notifyActivityChannel } from '../db/console.ts';
import { unwatchConsole, watchConsole } from '../db/console-watchers.ts';
import type { NotificationListener } from '../db/listener.ts';
import type { Queryable } from '../db/queryable.ts';
import type { Logger } from '../logger.ts';


/**
 * Announces a change by hand. Runs, deliveries and events already notify through database
 * triggers (migration 0006), so producers normally need nothing; this is for anything else
 * that should wake the console. Inside a transaction, the notification is sent at commit.
 */
export async function notifyActivity(db: Queryable, activity: Activity): Promise<void> {
  await notifyActivityChannel(db, JSON.stringify(activitySchema.parse(activity)));
}

type Listener = (activity: Activity) => void;

/** A watcher's lease: renewed every third of it while streams are open. */
const LEASE_SECONDS = 60;

/**
 * The console's open streams, fed from the process's one LISTEN connection (db/listener.ts):
 * the hub LISTENs on the activity channel while it has subscribers. Notifications sent while
 * the connection was down are lost, which is fine for a live view (the console refetches
 * on reconnect).
 *
 * While it has subscribers the hub holds a watcher lease (db/console-watchers.ts): the
 * database's activity triggers notify only while some process holds one, so nobody pays
 * for notifications no console reads.
 */
export class ActivityHub {
  readonly #listeners = new Set<Listener>();
  #unlisten: Promise<() => Promise<void>> | undefined;
  #closed = false;
  readonly #watcherId = `hub_${crypto.randomUUID()}`;
  #renewal: NodeJS.Timeout | undefined;
  #leaseOps: Promise<void> = Promise.resolve();

  constructor(
    private readonly notifications: NotificationListener,
    private readonly db: Queryable,
    private readonly log: Logger,
  ) {}

  /** Adds a listener; resolves once the process is listening, so nothing committed after it is missed. */
  async subscribe(listener: Listener): Promise<() => void> {
    this.#listeners.add(listener);
    if (!this.#closed) {
      this.#unlisten ??= this.notifications.subscribe(ACTIVITY_CHANNEL, (payload) => this.#heard(payload));
      await this.#unlisten;
    }
    await this.#watch();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.#unwatch();
    };
  }

  #heard(payload: string | undefined): void {
    // No payload: the connection was re-established; the lease may have run out meanwhile.
    if (payload === undefined) {
      if (this.#listeners.size > 0) void this.#watch();
      return;
    }
    let parsed: Activity;
    try {
      parsed = activitySchema.parse(JSON.parse(payload));
    } catch {
      return;
    }
    for (const listener of this.#listeners) listener(parsed);
  }

  /**
   * Lease writes run one after another, in the order they were asked for: a stream closing
   * and the next one opening must not let the close's delete land after the open's insert
   * (the open stream would then hear nothing), nor a renewal in flight re-take a lease the
   * close just gave back.
   */
  #serial(op: () => Promise<void>): Promise<void> {
    this.#leaseOps = this.#leaseOps.then(op, op);
    return this.#leaseOps;
  }

  /** Takes the lease (the notifications start at the next commit) and keeps renewing it. */
  #watch(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed || this.#listeners.size === 0) return;
      await watchConsole(this.db, this.#watcherId, LEASE_SECONDS).catch((error: unknown) => this.log.warn({ err: error }, 'console watcher lease failed'));
      this.#renewal ??= setInterval(() => void this.#watch(), (LEASE_SECONDS * 1000) / 3).unref();
    });
  }

  #unwatch(): Promise<void> {
    return this.#serial(async () => {
      // A stream opened again meanwhile: keep the lease.
      if (!this.#closed && this.#listeners.size > 0) return;
      clearInterval(this.#renewal);
      this.#renewal = undefined;
      await unwatchConsole(this.db, this.#watcherId).catch(() => {});
    });
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#unwatch();
    const unlisten = await this.#unlisten?.catch(() => undefined);
    await unlisten?.();
  }
}
