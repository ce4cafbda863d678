import type { Queryable } from './queryable.ts';

/**
 * The demo seed's own SQL, for what no table family's module offers: the lock that makes
 * two processes starting together seed once, and the test inbox row.
 */

const DEMO_LOCK = 7_241_865_001;

/** Held until the transaction ends. */
export async function lockDemoSeed(tx: Queryable): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [DEMO_LOCK]);
}

export async function insertInbox(tx: Queryable, inbox: { id: string; name: string; url: string; endpointId: string }): Promise<void> {
  await tx.query(`insert into inboxes (id, name, url, endpoint_id) values ($1, $2, $3, $4)`, [inbox.id, inbox.name, inbox.url, inbox.endpointId]);
}
