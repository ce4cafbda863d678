import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueEvents, markEventsProcessed } from '../../src/db/events.ts';
import { cloneDatabase } from '../support/database.ts';

// The claim statement alone, on a database no engine runs on: two claims stand for two workers.
let db: pg.Pool;
let drop: () => Promise<void>;
beforeAll(async () => {
  const clone = await cloneDatabase();
  drop = clone.drop;
  db = new pg.Pool({ connectionString: clone.url, max: 2 });
});
afterAll(async () => {
  await db?.end();
  await drop?.();
});

async function store(events: { id: string; subject: string | null }[]) {
  await db.query(
    `insert into events (id, type, occurred_at, source, subject, data)
     select id, 'order.created', now(), 'test', subject, '{}' from unnest($1::text[], $2::text[]) with ordinality as e(id, subject, n) order by n`,
    [events.map((e) => e.id), events.map((e) => e.subject)],
  );
}
const ids = (claimed: { envelope: { id: string } }[]) => claimed.map((c) => c.envelope.id);

describe('claiming due events', () => {
  it("never gives a worker a subject's event while an earlier one of that subject is claimed by another", async () => {
    await store([
      { id: 'a1', subject: 'cus_a' },
      { id: 'b1', subject: 'cus_b' },
      { id: 'a2', subject: 'cus_a' },
      { id: 'n1', subject: null },
      { id: 'a3', subject: 'cus_a' },
    ]);
    // Worker 1 claims the first event only: cus_a's first.
    expect(ids(await claimDueEvents(db, 1, 60))).toEqual(['a1']);
    // Worker 2 gets everything else that does not wait on a1: not a2 nor a3.
    expect(ids(await claimDueEvents(db, 200, 60))).toEqual(['b1', 'n1']);
    expect(await claimDueEvents(db, 200, 60)).toEqual([]);
    // Once a1 is processed, cus_a's later events come together, in order.
    await markEventsProcessed(db, ['a1']);
    expect(ids(await claimDueEvents(db, 200, 60))).toEqual(['a2', 'a3']);
  });

  it("claims a long run of one subject's events in one batch, in order", async () => {
    await db.query(`update events set processed_at = now()`); // the previous test's events
    await store(Array.from({ length: 300 }, (_, i) => ({ id: `one-${String(i).padStart(3, '0')}`, subject: 'cus_one' })));
    const first = ids(await claimDueEvents(db, 200, 60));
    expect(first).toEqual(Array.from({ length: 200 }, (_, i) => `one-${String(i).padStart(3, '0')}`));
    // The rest wait until the first 200 are processed.
    expect(await claimDueEvents(db, 200, 60)).toEqual([]);
    await markEventsProcessed(db, first);
    expect(ids(await claimDueEvents(db, 200, 60))).toHaveLength(100);
  });
});
