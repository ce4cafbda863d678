import crypto from 'node:crypto';
import pg from 'pg';
import type { Queryable } from './queryable.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// Return bigint columns (bigserial seq) as numbers: they stay far below 2^53 here.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Statements with parameters that this process runs again and again (the hot path's
 * claims, inserts and updates) are sent as named prepared statements, so PostgreSQL parses
 * and plans each once per connection instead of on every call (planning was a third of the
 * database's CPU on the hot path). A text is prepared once it has been seen twice, so
 * one-off texts never accumulate in a backend. Texts that take a table's columns with `*`
 * are left alone: a migration adding a column would change their result type under a
 * prepared plan. Should a prepared text hit that anyway ("cached plan must not change
 * result type", after a migration by another process), it is never prepared again here.
 * The name is a hash of the text: a changed text is a new statement.
 */
const PREPARE_AFTER = 2;
const MAX_PREPARED_TEXTS = 500;
const seenTexts = new Map<string, number>();
const preparedNames = new Map<string, string>();
const neverPrepare = new Set<string>();
/** `select * from <table>`, `returning *`, `<table alias>.*`; `*` over unnest(...) or a CTE of the text itself is fine. */
const TABLE_STAR = /\bselect\s+\*\s+from\s+(?!unnest\s*\()(?!(?:t|x|recorded|ins|claimed|due|locked)\b)\w|returning\s+\*|\b(?!(?:t|x|c|recorded|ins|claimed)\.)\w+\.\*/i;

function preparedName(text: string): string | undefined {
  const known = preparedNames.get(text);
  if (known) return known;
  if (preparedNames.size >= MAX_PREPARED_TEXTS || neverPrepare.has(text) || TABLE_STAR.test(text)) return undefined;
  const seen = (seenTexts.get(text) ?? 0) + 1;
  if (seen < PREPARE_AFTER) {
    if (seenTexts.size < 5 * MAX_PREPARED_TEXTS) seenTexts.set(text, seen);
    return undefined;
  }
  seenTexts.delete(text);
  const name = `tl_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  preparedNames.set(text, name);
  return name;
}

/** Exported for its test: whether a text would be prepared (once seen often enough). */
export function preparable(text: string): boolean {
  return !TABLE_STAR.test(text);
}

function forgetPrepared(text: string, error: unknown): void {
  if ((error as { code?: string }).code === '0A000' && /cached plan/.test((error as Error).message)) {
    preparedNames.delete(text);
    neverPrepare.add(text);
  }
}

class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values)) {
      const name = preparedName(text);
      if (name) {
        const callback = args[2];
        if (typeof callback === 'function') {
          return (super.query as (...a: unknown[]) => never)({ name, text, values }, (error: unknown, result: unknown) => {
            if (error) forgetPrepared(text, error);
            (callback as (e: unknown, r: unknown) => void)(error, result);
          });
        }
        const running = (super.query as (...a: unknown[]) => Promise<unknown>)({ name, text, values });
        running.catch((error: unknown) => forgetPrepared(text, error));
        return running as never;
      }
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000, application_name: 'tripline', Client: PreparingClient });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/** Runs fn inside BEGIN/COMMIT on one client, rolling back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('begin');
    try {
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  });
}

/**
 * A client for a caller whose statements are each atomic alone: no BEGIN and COMMIT round
 * trips around them (the delivery worker's one-statement outcome writes). Released after,
 * discarded if its connection broke.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no pool listener: if the server goes away while we are between
  // queries (a restart, a failover), pg emits 'error' on the client and, unheard, that
  // crashes the process. Keep the error; the next query fails and the client is discarded.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (error) {
    broken ??= isConnectionError(error) ? (error as Error) : undefined;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** PostgreSQL gave up on the transaction to break a lock cycle or a serialization conflict: running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * A transaction that is run again (up to `attempts` times) when PostgreSQL aborts it as a
 * deadlock victim. For a person's action that takes locks in an order the workers cannot
 * share (an endpoint, then its deliveries), so it never answers 500 for a lost race.
 */
export async function withRetriedTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, fn);
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
    }
  }
}

/** Errors after which a client's connection cannot be trusted again. */
function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', '57P01', '57P02', '57P03'].includes(e?.code ?? '') || /Connection terminated/i.test(e?.message ?? '');
}

/**
 * Serialises whoever takes the same key until the caller's transaction ends (two sign-ins
 * of one email, two writes of one setting, two processes seeding the first admin).
 */
export async function lockUntilCommit(db: Queryable, key: string): Promise<void> {
  await db.query('select pg_advisory_xact_lock(hashtext($1))', [key]);
}

/** Whether the database answers within `timeoutMs` (the health check); throws what the driver threw. */
export async function pingDatabase(pool: pg.Pool, timeoutMs: number): Promise<void> {
  await pool.query({ text: 'select 1', query_timeout: timeoutMs } as never);
}


/** A named savepoint inside the caller's transaction: part of the work can be rolled back alone. */
export const savepoint = {
  open: async (tx: Pick<pg.PoolClient, 'query'>, name: string) => void (await tx.query(`savepoint ${name}`)),
  release: async (tx: Pick<pg.PoolClient, 'query'>, name: string) => void (await tx.query(`release savepoint ${name}`)),
  rollback: async (tx: Pick<pg.PoolClient, 'query'>, name: string) => void (await tx.query(`rollback to savepoint ${name}`)),
};
