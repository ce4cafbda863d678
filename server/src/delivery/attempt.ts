import type { AppContext } from '../context.ts';
import type { AttemptRecord, ClaimedDelivery } from '../db/deliveries.ts';
import { WEBHOOK_USER_AGENT } from '../db/delivery-storage.ts';
import { sendHttp, type HttpOutcome, type HttpResponse, type OutgoingRequest } from './http-client.ts';
import { TokenCache, type OAuthClient } from './oauth.ts';
import { signatureHeader } from './signing.ts';
import { endpointHeaders } from './endpoints-store.ts';
import { serializePayload } from './payload.ts';

/**
 * One attempt of one claimed delivery: build the signed request (two signatures during a
 * secret's rotation grace), add OAuth or mTLS, send it (or let the in-process test inbox
 * answer it), and turn what came back into the attempt's log record. Never throws.
 */

const USER_AGENT = WEBHOOK_USER_AGENT;

/**
 * Answers a delivery inside this process instead of over the network, or returns null to
 * let it go out. For Tripline's own test inboxes, whose URL is this server (loopback): the
 * SSRF guard keeps refusing loopback, and no exception to it is needed.
 */
export type LocalReceiver = (request: OutgoingRequest) => Promise<HttpResponse | null>;

export interface AttemptResult {
  outcome: HttpOutcome;
  record: AttemptRecord;
  succeeded: boolean;
  statusCode: number | null;
  error: string | null;
}

export class Attempter {
  readonly #tokens: TokenCache;
  /** Decrypted endpoint secrets by ciphertext (a rotation or key change is a new ciphertext); bounded. */
  readonly #secrets = new Map<string, string>();
  constructor(
    private readonly ctx: AppContext,
    private readonly localReceiver?: LocalReceiver,
  ) {
    this.#tokens = new TokenCache({ timeoutMs: ctx.config.deliveryTimeoutMs, allowPrivate: ctx.config.allowPrivateTargets });
  }

  async attempt(d: ClaimedDelivery): Promise<AttemptResult> {
    const body = serializePayload(d.payload);
    let request: OutgoingRequest;
    try {
      request = this.#request(d, body);
    } catch (error) {
      // A signing secret that no longer decrypts (the key changed): this attempt fails, visibly.
      const unsigned = { url: d.url, headers: {}, body, timeoutMs: 0, allowPrivate: false };
      return describe(d, unsigned, body, { kind: 'error', errorClass: 'other', error: `the request could not be signed: ${(error as Error).message}`, durationMs: 0 });
    }
    const outcome = await this.#send(d, request);
    return describe(d, request, body, outcome);
  }

  #request(d: ClaimedDelivery, body: string): OutgoingRequest {
    const timestamp = Math.floor(Date.now() / 1000);
    const secrets = [this.#decrypt(d.secret_enc)];
    if (d.previous_secret_enc && d.previous_secret_expires_at && d.previous_secret_expires_at.getTime() > Date.now()) {
      secrets.push(this.#decrypt(d.previous_secret_enc));
    }
    return {
      url: d.url,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        ...endpointHeaders(this.ctx, d),
        'webhook-id': d.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(secrets, d.id, timestamp, body),
      },
      body,
      timeoutMs: this.ctx.config.deliveryTimeoutMs,
      allowPrivate: this.ctx.config.allowPrivateTargets,
    };
  }

  #decrypt(enc: string): string {
    let plain = this.#secrets.get(enc);
    if (plain === undefined) {
      if (this.#secrets.size >= 1000) this.#secrets.clear();
      plain = this.ctx.secrets.decrypt(enc);
      this.#secrets.set(enc, plain);
    }
    return plain;
  }

  async #send(d: ClaimedDelivery, request: OutgoingRequest): Promise<HttpOutcome> {
    try {
      if (this.localReceiver) {
        const started = performance.now();
        const local = await this.localReceiver(request);
        if (local) return { kind: 'response', response: local, durationMs: Math.round(performance.now() - started) };
      }
      const auth = d.auth ?? { kind: 'none' };
      if (auth.kind === 'mtls') {
        request.tls = { cert: auth.cert, key: this.ctx.secrets.decrypt(d.auth_secret_enc ?? ''), ca: auth.ca };
        return await sendHttp(request);
      }
      if (auth.kind === 'oauth2') {
        const client: OAuthClient = {
          tokenUrl: auth.tokenUrl,
          clientId: auth.clientId,
          clientSecret: this.ctx.secrets.decrypt(d.auth_secret_enc ?? ''),
          scope: auth.scope,
        };
        let outcome = await this.#withToken(client, request);
        if (outcome.kind === 'response' && outcome.response.status === 401) {
          // The token may have been revoked or expired early: fetch a new one, once.
          this.#tokens.invalidate(client);
          outcome = await this.#withToken(client, request);
        }
        return outcome;
      }
      return await sendHttp(request);
    } catch (error) {
      // A key that no longer decrypts, an inbox that failed: this attempt failed, the batch goes on.
      return { kind: 'error', errorClass: 'other', error: (error as Error).message, durationMs: 0 };
    }
  }

  async #withToken(client: OAuthClient, request: OutgoingRequest): Promise<HttpOutcome> {
    const started = performance.now();
    try {
      request.headers.authorization = `Bearer ${await this.#tokens.get(client)}`;
    } catch (error) {
      return { kind: 'error', errorClass: 'auth', error: (error as Error).message, durationMs: Math.round(performance.now() - started) };
    }
    return sendHttp(request);
  }
}

function describe(d: ClaimedDelivery, request: OutgoingRequest, payloadBody: string, outcome: HttpOutcome): AttemptResult {
  const res = outcome.kind === 'response' ? outcome.response : undefined;
  const succeeded = res !== undefined && res.status >= 200 && res.status < 300;
  let errorClass: string | null = null;
  let error: string | null = null;
  if (outcome.kind === 'error') {
    errorClass = outcome.errorClass;
    error = outcome.error;
  } else if (!succeeded && res) {
    const redirect = res.status >= 300 && res.status < 400;
    errorClass = redirect ? 'redirect' : 'http_status';
    error = redirect
      ? `the receiver answered ${res.status} redirecting to ${res.headers.location ?? '(no location)'}; redirects are not followed`
      : `the receiver answered ${res.status}`;
  }
  return {
    outcome,
    succeeded,
    statusCode: res?.status ?? null,
    error,
    record: {
      deliveryId: d.id,
      attempt: d.attempt_count,
      url: request.url,
      requestHeaders: redactHeaders(request.headers),
      requestBody: request.body === payloadBody ? null : request.body,
      responseStatus: res?.status ?? null,
      responseHeaders: res ? res.headers : null,
      responseBody: res?.body ?? null,
      durationMs: outcome.durationMs,
      outcome: succeeded ? 'succeeded' : 'failed',
      errorClass,
      error,
    },
  };
}

const SHOWN_HEADERS = new Set(['content-type', 'user-agent']);

/**
 * The attempt log shows which headers went out but not the values of the endpoint's own
 * (they may be API keys; they are encrypted at rest on the endpoint): only the content
 * type, user agent and the webhook-* signature headers are kept, and the authorization
 * scheme.
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (SHOWN_HEADERS.has(key) || key.startsWith('webhook-')) out[name] = value;
    else if (key === 'authorization') out[name] = /^\w+ /.test(value) ? value.replace(/^(\w+) .*/s, '$1 [redacted]') : '[redacted]';
    else out[name] = '[redacted]';
  }
  return out;
}
