import { activitySchema, type Activity } from '@tripline/shared';
import crypto from 'node:crypto';
import pg from 'pg';
import { ACTIVITY_CHANNEL, listenToActivity, notifyActivityChannel } from '../db/console.ts';
import { unwatchConsole, watchConsole } from '../db/console-watchers.ts';
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
 * One dedicated connection per process LISTENing on the channel, fanned out to the
 * console's open streams. Connects on the first subscriber and reconnects with backoff if
 * the connection drops; notifications sent while it was down are lost, which is fine for a
 * live view (the console refetches on reconnect).
 *
 * While it has subscribers the hub holds a watcher lease (db/console-watchers.ts): the
 * database's activity triggers notify only while some process holds one, so nobody pays
 * for notifications no console reads.
 */
export class ActivityHub {
  readonly #connectionString: string;
  readonly #log: Logger;
  readonly #listeners = new Set<Listener>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;
  #retryMs = 500;
  readonly #watcherId = `hub_${crypto.randomUUID()}`;
  #renewal: NodeJS.Timeout | undefined;

  constructor(connectionString: string, log: Logger) {
    this.#connectionString = connectionString;
    this.#log = log;
  }

  /** Adds a listener; resolves once the process is listening, so nothing committed after it is missed. */
  async subscribe(listener: Listener): Promise<() => void> {
    this.#listeners.add(listener);
    await this.#ensureConnected();
    await this.#watch();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.#unwatch();
    };
  }

  /** Takes the lease (the notifications start at the next commit) and keeps renewing it. */
  async #watch(): Promise<void> {
    const client = this.#client;
    if (!client || this.#listeners.size === 0) return;
    await watchConsole(client, this.#watcherId, LEASE_SECONDS).catch((error: unknown) => this.#log.warn({ err: error }, 'console watcher lease failed'));
    this.#renewal ??= setInterval(() => void this.#watch(), (LEASE_SECONDS * 1000) / 3).unref();
  }

  async #unwatch(): Promise<void> {
    clearInterval(this.#renewal);
    this.#renewal = undefined;
    const client = this.#client;
    if (client) await unwatchConsole(client, this.#watcherId).catch(() => {});
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#unwatch();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #ensureConnected(): Promise<void> {
    if (this.#client || this.#closed) return Promise.resolve();
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#connectionString, application_name: 'tripline-activity' });
    client.on('error', (error) => this.#log.warn({ err: error }, 'activity listener connection failed'));
    client.on('end', () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#scheduleReconnect();
    });
    client.on('notification', (msg) => {
      if (msg.channel !== ACTIVITY_CHANNEL || !msg.payload) return;
      let parsed: Activity;
      try {
        parsed = activitySchema.parse(JSON.parse(msg.payload));
      } catch {
        return;
      }
      for (const listener of this.#listeners) listener(parsed);
    });
    try {
      await client.connect();
      await listenToActivity(client);
    } catch (error) {
      await client.end().catch(() => {});
      this.#log.warn({ err: error }, 'activity listener could not connect');
      this.#scheduleReconnect();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#retryMs = 500;
    this.#client = client;
    // After a reconnect: the lease may have run out while the connection was down.
    if (this.#listeners.size > 0) await this.#watch();
  }

  #scheduleReconnect() {
    if (this.#closed || this.#listeners.size === 0) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 30_000);
    setTimeout(() => void this.#ensureConnected(), delay).unref();
  }
}
