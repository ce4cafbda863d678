import { PgBoss, type Db as IDatabase } from 'pg-boss';
import type { Logger } from '../logger.ts';
import { queues, type QueueKey, type QueuePayload } from './queues.ts';

export type { IDatabase };

/**
 * A pg-boss instance with LISTEN/NOTIFY on: pg-boss's default is to poll every 2 s, far
 * from real time. With `useListenNotify` and `notify: true` on each queue, a send wakes
 * a waiting worker in a few milliseconds; polling stays on as the backstop.
 */
export async function startBoss(
  url: string,
  log: Logger,
  opts: { schedule: boolean; poolMax?: number; jobExpireSeconds?: number },
): Promise<PgBoss> {
  // Expired jobs (their worker died) are only noticed by the monitor pass, every 60 s by
  // default: with a short expiry, look as often as a third of it so they come back quickly.
  // Heartbeats (run.execute has a 10 s one) are checked by the same pass: every 5 s at most.
  const monitor = opts.jobExpireSeconds ? Math.max(1, Math.min(5, Math.floor(opts.jobExpireSeconds / 3))) : 5;
  const boss = new PgBoss({
    connectionString: url,
    max: opts.poolMax ?? 10,
    useListenNotify: true,
    schedule: opts.schedule,
    application_name: 'tripline-queue',
    monitorIntervalSeconds: monitor,
    superviseIntervalSeconds: monitor,
  });
  boss.on('error', (error: unknown) => log.error({ err: error }, 'queue error'));
  boss.on('warning', (warning: unknown) => log.warn({ warning }, 'queue warning'));
  await boss.start();
  for (const q of Object.values(queues)) {
    const options = { ...q.options, notify: true, ...(opts.jobExpireSeconds ? { expireInSeconds: opts.jobExpireSeconds } : {}) };
    const existing = await boss.getQueue(q.name);
    if (!existing) await boss.createQueue(q.name, options);
    else await boss.updateQueue(q.name, options as never);
  }
  return boss;
}

/** Typed send: the payload is checked against the queue's schema at compile time. */
export function sendJob<K extends QueueKey>(
  boss: PgBoss,
  key: K,
  payload: QueuePayload<K>,
  options: { db?: IDatabase; startAfter?: Date | number; singletonKey?: string; id?: string } = {},
): Promise<string | null> {
  return boss.send(queues[key].name, payload as object, options);
}

/** Adapts a pg client inside our own transaction so pg-boss writes its job there. */
export function clientDb(client: { query: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }> }): IDatabase {
  return { executeSql: (text: string, values?: unknown[]) => client.query(text, values) } as IDatabase;
}
