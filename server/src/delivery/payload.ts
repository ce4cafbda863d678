/** The envelope's keys in reading order: jsonb does not keep key order. */
const PAYLOAD_ORDER = ['id', 'type', 'timestamp', 'data', 'source', 'causedBy', 'chain', 'subject', 'vars'];

/**
 * The body of a delivery's request, from its stored payload: the same bytes on every
 * attempt, and the body the delivery log shows when an attempt stored none.
 */
export function serializePayload(payload: Record<string, unknown>): string {
  const ordered: Record<string, unknown> = {};
  for (const key of PAYLOAD_ORDER) if (key in payload) ordered[key] = payload[key];
  for (const [key, value] of Object.entries(payload)) if (!(key in ordered)) ordered[key] = value;
  return JSON.stringify(ordered);
}
