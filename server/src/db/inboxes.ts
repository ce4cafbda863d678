import type { Inbox, InboxMessage } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the built-in test inboxes: inboxes, the endpoint each delivers to, and the
 * messages they received (inbox_messages, the newest few hundred per inbox).
 */

interface InboxRow {
  id: string;
  name: string;
  url: string;
  endpoint_id: string | null;
  created_at: Date;
  message_count: number;
}

const toInbox = (r: InboxRow): Inbox => ({
  id: r.id,
  name: r.name,
  url: r.url,
  endpointId: r.endpoint_id,
  createdAt: r.created_at.toISOString(),
  messageCount: r.message_count,
});

interface MessageRow {
  id: number;
  inbox_id: string;
  received_at: Date;
  headers: Record<string, string>;
  body: string;
  webhook_id: string | null;
  event_type: string | null;
  signature_verified: boolean;
  verify_error: string | null;
}

const toMessage = (r: MessageRow): InboxMessage => ({
  id: r.id,
  inboxId: r.inbox_id,
  receivedAt: r.received_at.toISOString(),
  headers: r.headers,
  body: r.body,
  webhookId: r.webhook_id,
  eventType: r.event_type,
  signatureVerified: r.signature_verified,
  verifyError: r.verify_error,
});

const INBOX_SELECT = `select i.id, i.name, i.url, i.endpoint_id, i.created_at,
                             (select count(*)::int from inbox_messages m where m.inbox_id = i.id) as message_count
                        from inboxes i`;

export async function listInboxes(db: Queryable): Promise<Inbox[]> {
  const { rows } = await db.query<InboxRow>(`${INBOX_SELECT} order by i.created_at desc`);
  return rows.map(toInbox);
}

export async function findInbox(db: Queryable, id: string): Promise<Inbox | undefined> {
  const { rows } = await db.query<InboxRow>(`${INBOX_SELECT} where i.id = $1`, [id]);
  return rows[0] && toInbox(rows[0]);
}

export async function inboxExists(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from inboxes where id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

/** Whether the inbox `id` was created with exactly this URL. */
export async function inboxHasUrl(db: Queryable, id: string, url: string): Promise<boolean> {
  const { rows } = await db.query('select id from inboxes where id = $1 and url = $2', [id, url]);
  return rows.length > 0;
}

/**
 * An inbox and the endpoint that delivers to it. The endpoint row is written here, not
 * through POST /endpoints, because its URL is Tripline's own: the SSRF guard rightly
 * refuses loopback for everything else.
 */
export async function insertInboxWithEndpoint(
  db: Queryable,
  inbox: { id: string; name: string; url: string; endpointId: string; description: string; eventTypes: string[]; secretEnc: string },
): Promise<Inbox> {
  await db.query(`insert into endpoints (id, url, description, event_types, secret_enc) values ($1, $2, $3, $4, $5)`, [
    inbox.endpointId,
    inbox.url,
    inbox.description,
    inbox.eventTypes,
    inbox.secretEnc,
  ]);
  const { rows } = await db.query<InboxRow>(
    `insert into inboxes (id, name, url, endpoint_id) values ($1, $2, $3, $4)
     returning id, name, url, endpoint_id, created_at, 0 as message_count`,
    [inbox.id, inbox.name, inbox.url, inbox.endpointId],
  );
  return toInbox(rows[0]!);
}

/** Deletes the inbox and its endpoint; answers what it was, or undefined when there was none. */
export async function deleteInboxWithEndpoint(db: Queryable, id: string): Promise<{ endpoint_id: string | null; name: string } | undefined> {
  const { rows } = await db.query<{ endpoint_id: string | null; name: string }>(`delete from inboxes where id = $1 returning endpoint_id, name`, [id]);
  if (rows[0]?.endpoint_id) await db.query(`delete from endpoints where id = $1`, [rows[0].endpoint_id]);
  return rows[0];
}

/** The secrets an inbox verifies signatures with: its endpoint's, and the previous one while it is still valid. */
export async function inboxSecrets(db: Queryable, id: string): Promise<{ current: string | null; previous: string | null } | undefined> {
  const { rows } = await db.query<{ secret_enc: string | null; previous_secret_enc: string | null; previous_valid: boolean | null }>(
    `select i.id, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at > now() as previous_valid
       from inboxes i left join endpoints e on e.id = i.endpoint_id where i.id = $1`,
    [id],
  );
  const r = rows[0];
  return r && { current: r.secret_enc, previous: r.previous_valid ? r.previous_secret_enc : null };
}

export async function insertInboxMessage(
  db: Queryable,
  m: { inboxId: string; headers: Record<string, string>; body: string; webhookId: string | null; eventType: string | null; verified: boolean; verifyError: string | null },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `insert into inbox_messages (inbox_id, headers, body, webhook_id, event_type, signature_verified, verify_error)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [m.inboxId, JSON.stringify(m.headers), m.body, m.webhookId, m.eventType, m.verified, m.verifyError],
  );
  return rows[0]!.id;
}

/** Keeps the newest `keep` messages of an inbox. */
export async function trimInboxMessages(db: Queryable, inboxId: string, keep: number): Promise<void> {
  await db.query(
    `delete from inbox_messages where inbox_id = $1 and id < (
       select id from inbox_messages where inbox_id = $1 order by id desc offset $2 limit 1)`,
    [inboxId, keep],
  );
}

/** Newest first, keyset-paginated on id. */
export async function listInboxMessages(db: Queryable, inboxId: string, cursor: string | undefined, limit: number): Promise<{ data: InboxMessage[]; nextCursor: string | null }> {
  const { rows } = await db.query<MessageRow>(
    `select id, inbox_id, received_at, headers, body, webhook_id, event_type, signature_verified, verify_error
       from inbox_messages where inbox_id = $1 and ($2::bigint is null or id < $2) order by id desc limit $3`,
    [inboxId, cursor ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  return { data: page.map(toMessage), nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null };
}
