import pg from 'pg';
import type { Logger } from '../logger.ts';

/** What a subscriber hears: a notification on its channel, or `reconnected` (notifications may have been missed). */
export type NotificationHandler = (payload: string | undefined) => void;

/**
 * The one LISTEN connection of a process (pg-boss keeps one per instance the same way): the
 * event claim loop, the delivery worker and the console's live activity subscribe to their
 * channels here. It connects on the first subscription, LISTENs on a channel while it has
 * subscribers, and reconnects with backoff when the connection drops; each subscriber is
 * then called once with no payload, since notifications sent meanwhile were lost.
 * Built at start-up from the database URL (never from the pool's internals) and handed
 * down in AppContext.
 */
export class NotificationListener {
  readonly #subscribers = new Map<string, Set<NotificationHandler>>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;
  #retryMs = 500;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  /** Resolves once the process LISTENs on `channel`, so nothing committed after it is missed (unless the connection is down: then at reconnect). */
  async subscribe(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`"${channel}" is not a channel name`);
    let handlers = this.#subscribers.get(channel);
    const first = !handlers;
    if (!handlers) this.#subscribers.set(channel, (handlers = new Set()));
    handlers.add(handler);
    await this.#ensureConnected();
    if (first && this.#client) await this.#client.query(`listen ${channel}`).catch((err: unknown) => this.log.warn({ err, channel }, 'LISTEN failed; it is retried at reconnect'));
    return async () => {
      const set = this.#subscribers.get(channel);
      if (!set?.delete(handler) || set.size > 0) return;
      this.#subscribers.delete(channel);
      await this.#client?.query(`unlisten ${channel}`).catch(() => {});
    };
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
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
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'tripline-listen' });
    client.on('error', (err) => {
      if (!this.#closed) this.log.warn({ err }, 'listener connection failed; the claim loops poll until it is back');
    });
    client.on('end', () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#scheduleReconnect();
    });
    client.on('notification', (msg) => {
      for (const handler of this.#subscribers.get(msg.channel) ?? []) handler(msg.payload);
    });
    try {
      await client.connect();
      for (const channel of this.#subscribers.keys()) await client.query(`listen ${channel}`);
    } catch (err) {
      await client.end().catch(() => {});
      this.log.warn({ err }, 'listener could not connect; retrying');
      this.#scheduleReconnect();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    const reconnected = this.#retryMs !== 500 || this.#everConnected;
    this.#everConnected = true;
    this.#retryMs = 500;
    this.#client = client;
    if (reconnected) for (const handlers of this.#subscribers.values()) for (const handler of handlers) handler(undefined);
  }

  #everConnected = false;

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 30_000);
    setTimeout(() => void this.#ensureConnected(), delay).unref();
  }
}
