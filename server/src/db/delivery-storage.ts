/**
 * What a delivery and its attempts store of the webhook request, and how the rest is
 * rebuilt when it is sent or shown (issue 14: each stored event costs less).
 *
 * - A subscription delivery's payload is the event's envelope: when the payload is exactly
 *   what `eventPayloadSql` builds from the stored event, the delivery stores null and every
 *   reader (the claim that sends it, the detail view) builds it from the event instead. The
 *   body is then the same bytes on every attempt (the event row does not change). Anything
 *   else (a step's payload with vars, a test event that is not stored, an event whose
 *   timestamp the SQL does not render the way JavaScript did) is stored as before.
 *   Retention keeps an event while a delivery still builds its payload from it.
 * - An attempt's request headers leave out what the delivery already says: `webhook-id`
 *   (the delivery id) and the content type and user agent when they are Tripline's.
 * - An attempt's response headers leave out the hop-by-hop ones (how the connection was
 *   framed and kept open), which say nothing about the answer once it is over.
 */

export const WEBHOOK_USER_AGENT = 'Tripline-Webhooks/1.0';
const CONTENT_TYPE = 'application/json';

/** The envelope of the event row `ev`, as fan-out.ts `webhookPayload` builds it (no vars). */
export const eventPayloadSql = (ev: string) =>
  `jsonb_build_object('id', ${ev}.id, 'type', ${ev}.type,
     'timestamp', to_char(${ev}.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
     'data', ${ev}.data, 'source', ${ev}.source, 'causedBy', ${ev}.caused_by, 'chain', to_jsonb(${ev}.chain), 'subject', ${ev}.subject)`;

/** A delivery's payload as sent, from the row alias `d`: stored, or built from its event. */
export const deliveryPayloadSql = (d: string) =>
  `coalesce(${d}.payload, (select ${eventPayloadSql('ev')} from events ev where ev.id = ${d}.event_id))`;

/**
 * The payload to store for a new delivery (`payload` a jsonb expression): null when it equals
 * the envelope built from the stored event `eventId`. jsonb equality is by value (keys, strings
 * exactly, numbers numerically), and the body sent is the JSON of the value as JavaScript
 * parses it (attempt.ts serializePayload): equal values give the same bytes.
 */
export const storedPayloadSql = (eventId: string, payload: string) =>
  `case when ${payload} = (select ${eventPayloadSql('ev')} from events ev where ev.id = ${eventId}) then null else ${payload} end`;

/**
 * A payload as a jsonb column gives it back: object keys in jsonb's order (shorter first,
 * then bytewise). A delivery sent from memory right after its birth then has the same
 * bytes as every later attempt, whose payload is read back from the database.
 */
export function asStoredJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asStoredJson);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = asStoredJson((value as Record<string, unknown>)[key]);
  return out;
}

/** The request headers an attempt stores: without those its delivery already tells. */
export function storedRequestHeaders(deliveryId: string, headers: Record<string, string>): Record<string, string> {
  if (headers['webhook-id'] !== deliveryId || headers['webhook-timestamp'] === undefined) return headers;
  const { 'webhook-id': _id, ...rest } = headers;
  if (rest['content-type'] === CONTENT_TYPE) delete rest['content-type'];
  if (rest['user-agent'] === WEBHOOK_USER_AGENT) delete rest['user-agent'];
  return rest;
}

/** The request headers an attempt sent, from what it stored (see `storedRequestHeaders`). */
export function sentRequestHeaders(deliveryId: string, stored: Record<string, string>): Record<string, string> {
  if (stored['webhook-id'] !== undefined || stored['webhook-timestamp'] === undefined) return stored;
  return { 'content-type': CONTENT_TYPE, 'user-agent': WEBHOOK_USER_AGENT, ...stored, 'webhook-id': deliveryId };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection']);

/** The response headers an attempt stores. */
export function storedResponseHeaders(headers: Record<string, string> | null): Record<string, string> | null {
  if (!headers) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}
