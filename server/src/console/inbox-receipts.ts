import DataLoader from 'dataloader';
import { Webhook } from 'standardwebhooks';
import { inboxesForReceipts, insertInboxMessages, trimInboxMessages, type NewInboxMessage } from '../db/console.ts';
import type { Queryable } from '../db/queryable.ts';
import { redactHeaders } from '../delivery/attempt.ts';
import type { SecretCipher } from '../secrets/cipher.ts';

export const MAX_INBOX_BODY = 1024 * 1024;
const KEEP_PER_INBOX = 500;
const TRIM_EVERY = 100;

export interface InboxReceipt {
  /** What an HTTP receiver would have answered: 202 stored, 404 no such inbox, 413 too large. */
  status: number;
  body: string;
  verified: boolean;
}

export interface InboxRequest {
  inboxId: string;
  /** The URL the request was sent to, when it must be exactly the inbox's (a delivery handed over in-process). */
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  body: string | Buffer;
}

type Deps = { db: Queryable; secrets: SecretCipher };

const notFound: InboxReceipt = { status: 404, body: '{"error":"no such inbox"}', verified: false };

/**
 * Receives many requests to test inboxes at once: one read for their inboxes and secrets,
 * one insert for every message, whatever the number. Each message records whether its
 * Standard Webhooks signature verified (with the `standardwebhooks` library, as any receiver
 * would). A request with a `url` that is not exactly its inbox's answers null (not an inbox
 * of this Tripline: the caller sends it over HTTP as any other URL).
 */
export async function receiveInboxRequests(deps: Deps, requests: readonly InboxRequest[]): Promise<(InboxReceipt | null)[]> {
  const inboxes = await inboxesForReceipts(deps.db, [...new Set(requests.map((r) => r.inboxId))]);
  const out: (InboxReceipt | null)[] = [];
  const messages: NewInboxMessage[] = [];
  const stored: number[] = [];
  for (const [i, request] of requests.entries()) {
    const inbox = inboxes.get(request.inboxId);
    if (request.url !== undefined && inbox?.url !== request.url) {
      out.push(null);
      continue;
    }
    const body = typeof request.body === 'string' ? request.body : request.body.toString('utf8');
    if (Buffer.byteLength(body) > MAX_INBOX_BODY) out.push({ status: 413, body: '{"error":"payload too large"}', verified: false });
    else if (!inbox) out.push(notFound);
    else {
      const message = inboxMessage(deps.secrets, request.inboxId, inbox, request.headers, body);
      messages.push(message);
      stored.push(i);
      out.push({ status: 202, body: JSON.stringify({ received: true, signatureVerified: message.verified }), verified: message.verified });
    }
  }
  if (messages.length === 0) return out;
  const ids = await insertInboxMessages(deps.db, messages);
  // An inbox deleted between the read and the insert stored nothing: it no longer exists.
  for (const i of stored) if (!ids.has(requests[i]!.inboxId)) out[i] = notFound;
  // Keep the newest messages only: an inbox subscribed to `*` under the simulator fills fast.
  // Trimmed when an id crosses a multiple of TRIM_EVERY, not per message: a trim per
  // message contended on the same rows (a test inbox on orders halved the engine's
  // throughput, issue 25). An inbox holds at most about KEEP_PER_INBOX + TRIM_EVERY messages.
  for (const [inboxId, newIds] of ids) {
    if (newIds.some((id) => id % TRIM_EVERY === 0)) await trimInboxMessages(deps.db, inboxId, KEEP_PER_INBOX);
  }
  return out;
}

function inboxMessage(
  cipher: SecretCipher,
  inboxId: string,
  inbox: { current: string | null; previous: string | null },
  headers: InboxRequest['headers'],
  body: string,
): NewInboxMessage {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const secrets = [inbox.current, inbox.previous].filter((s): s is string => s !== null).map((s) => cipher.decrypt(s));
  let verified = false;
  let verifyError: string | null = secrets.length === 0 ? 'the inbox has no endpoint secret to verify with (its endpoint was deleted)' : null;
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, flat);
      verified = true;
      verifyError = null;
      break;
    } catch (error) {
      verifyError = (error as Error).message;
    }
  }
  let eventType: string | null = null;
  try {
    const parsed = JSON.parse(body) as { type?: unknown };
    if (typeof parsed.type === 'string') eventType = parsed.type.slice(0, 100);
  } catch {
    /* not JSON: stored as text */
  }
  return {
    inboxId,
    // Stored as the attempt log stores what was sent: an inbox is readable by viewers, and a
    // request to it can carry a credential or an endpoint's custom header (names kept,
    // values "[redacted]" except the content type, user agent and webhook-* headers).
    headers: redactHeaders(flat),
    body,
    webhookId: flat['webhook-id']?.slice(0, 200) ?? null,
    eventType,
    verified,
    verifyError,
  };
}

/**
 * Group commit of inbox receipts (DataLoader's batching, no cache): requests arriving
 * within a couple of milliseconds of each other (the delivery worker sends its claimed
 * batch concurrently) are received together by `receiveInboxRequests`. If the shared
 * insert fails (one bad body), each request of the batch is received again on its own, so
 * only that one fails.
 */
export function inboxReceiptBatcher(deps: Deps, maxWaitMs = 2): (request: InboxRequest) => Promise<InboxReceipt | null> {
  const loader = new DataLoader<InboxRequest, InboxReceipt | null>(
    async (requests) => {
      try {
        return await receiveInboxRequests(deps, requests);
      } catch (error) {
        if (requests.length === 1) throw error;
        return Promise.all(requests.map((r) => receiveInboxRequests(deps, [r]).then(([one]) => one ?? null, (e: unknown) => e as Error)));
      }
    },
    { cache: false, maxBatchSize: 200, batchScheduleFn: (run) => setTimeout(run, maxWaitMs) },
  );
  return (request) => loader.load(request);
}
