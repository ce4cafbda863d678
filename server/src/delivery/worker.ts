import crypto from 'node:crypto';
import { recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { withTransaction, type PoolClient } from '../db/pool.ts';
import { emitEvent } from '../engine/store-events.ts';
import { settledStepDeliveries } from './hooks.ts';
import { queues } from '../queue/queues.ts';
import { endpointHeaders } from './endpoints-store.ts';
import { enqueueSends } from './fan-out.ts';
import { sendHttp, type HttpOutcome, type HttpResponse, type OutgoingRequest } from './http-client.ts';
import { TokenCache, type OAuthClient } from './oauth.ts';
import { signatureHeader } from './signing.ts';
import { acquireSlot } from './throttle.ts';

/**
 * The delivery worker: each `delivery.send` job is one attempt of one delivery.
 *
 * Hot path (no rate limit or concurrency cap on the endpoint): one UPDATE claims the
 * delivery and reads its endpoint, the request is signed and sent, one statement records
 * the attempt and the outcome. Retries are new jobs with `startAfter` per the retry
 * schedule; the job id is stored on the delivery, so a job that is no longer the
 * delivery's (replayed, recovered, paused) does nothing.
 */

const USER_AGENT = 'Tripline-Webhooks/1.0';

interface Claimed {
  id: string;
  endpoint_id: string;
  run_id: string | null;
  payload: Record<string, unknown>;
  attempt_count: number;
  retry_from: number;
  url: string;
  headers: Record<string, string>;
  auth: StoredAuth;
  auth_secret_enc: string | null;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
  limited: boolean;
}

export type StoredAuth =
  | { kind: 'none' }
  | { kind: 'oauth2'; tokenUrl: string; clientId: string; scope?: string }
  | { kind: 'mtls'; cert: string; ca?: string };

const CLAIM = `
  update deliveries d
     set status = 'sending', attempt_count = d.attempt_count + 1, next_attempt_at = null, updated_at = now()
    from endpoints e
   where d.id = $1 and d.job_id = $2 and d.status in ('pending', 'sending') and e.id = d.endpoint_id and e.enabled
     and ($3::boolean or (e.rate_limit_per_second is null and e.max_concurrency is null))
  returning d.id, d.endpoint_id, d.run_id, d.payload, d.attempt_count, d.retry_from,
            e.url, e.headers, e.auth, e.auth_secret_enc, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at,
            (e.rate_limit_per_second is not null or e.max_concurrency is not null) as limited`;

/**
 * Answers a delivery inside this process instead of over the network, or returns null to
 * let it go out. For Tripline's own test inboxes, whose URL is this server (loopback): the
 * SSRF guard keeps refusing loopback, and no exception to it is needed.
 */
export type LocalReceiver = (request: OutgoingRequest) => Promise<HttpResponse | null>;

export async function startDeliveryWorkers(ctx: AppContext, options: { localReceiver?: LocalReceiver } = {}): Promise<void> {
  const worker = new DeliveryWorker(ctx, options.localReceiver);
  await ctx.boss.work<{ deliveryId: string }>(
    queues.sendDelivery.name,
    {
      // Eight fetch loops of up to eight jobs, so a slow receiver holds up at most its own
      // batch; a full batch fetches again at once, notify wakes idle loops instantly, and
      // 0.5 s polling picks up retries whose startAfter has come.
      batchSize: 8,
      localConcurrency: 8,
      burstWhenBatchFull: true,
      pollingIntervalSeconds: 0.5,
      notifyPollingIntervalSeconds: 0.5,
    },
    async (jobs) => {
      const results = await Promise.allSettled(jobs.map((job) => worker.run(job.id, queues.sendDelivery.payload.parse(job.data).deliveryId)));
      const failed = results.find((r) => r.status === 'rejected');
      // Only infrastructure errors get here (the database); pg-boss retries the batch and
      // jobs already done find their delivery settled and do nothing.
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
  );
}

export class DeliveryWorker {
  readonly #tokens: TokenCache;
  constructor(
    private readonly ctx: AppContext,
    private readonly localReceiver?: LocalReceiver,
  ) {
    this.#tokens = new TokenCache({ timeoutMs: ctx.config.deliveryTimeoutMs, allowPrivate: ctx.config.allowPrivateTargets });
  }

  async run(jobId: string, deliveryId: string): Promise<void> {
    const claimed = await this.ctx.pool.query<Claimed>(CLAIM, [deliveryId, jobId, false]);
    const delivery = claimed.rows[0] ?? (await this.#claimSlowly(jobId, deliveryId));
    if (!delivery) return;
    const { request, outcome } = await this.#attempt(delivery);
    await this.#record(delivery, jobId, request, outcome);
  }

  /** Why the fast claim failed: a stale job, a disabled endpoint, or limits to respect. */
  async #claimSlowly(jobId: string, deliveryId: string): Promise<Claimed | undefined> {
    const { rows } = await this.ctx.pool.query<{
      status: string;
      job_id: string | null;
      run_id: string | null;
      endpoint_id: string;
      enabled: boolean;
      rate_limit_per_second: number | null;
      max_concurrency: number | null;
    }>(
      `select d.status, d.job_id, d.run_id, d.endpoint_id, e.enabled, e.rate_limit_per_second, e.max_concurrency
         from deliveries d join endpoints e on e.id = d.endpoint_id where d.id = $1`,
      [deliveryId],
    );
    const row = rows[0];
    if (!row || row.job_id !== jobId || (row.status !== 'pending' && row.status !== 'sending')) return undefined;
    return withTransaction(this.ctx.pool, async (tx) => {
      if (!row.enabled) {
        await parkDeliveries(tx, this.ctx, `id = $1 and job_id = $2`, [deliveryId, jobId], 'the endpoint is disabled');
        return undefined;
      }
      const slot = await acquireSlot(tx, {
        endpointId: row.endpoint_id,
        deliveryId,
        ratePerSecond: row.rate_limit_per_second,
        maxConcurrency: row.max_concurrency,
        ttlMs: this.ctx.config.deliveryTimeoutMs * 2 + 30_000,
      });
      if (!slot.ok) {
        // At its limit: come back a little later, leaving the worker to other endpoints.
        await reschedule(tx, this.ctx, deliveryId, jobId, slot.retryInMs, {});
        return undefined;
      }
      const claimed = await tx.query<Claimed>(CLAIM, [deliveryId, jobId, true]);
      if (!claimed.rows[0]) throw new Error(`delivery ${deliveryId} changed while being claimed`);
      return claimed.rows[0];
    });
  }

  async #attempt(d: Claimed): Promise<{ request: OutgoingRequest; outcome: HttpOutcome }> {
    const body = serializePayload(d.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const secrets = [this.ctx.secrets.decrypt(d.secret_enc)];
    if (d.previous_secret_enc && d.previous_secret_expires_at && d.previous_secret_expires_at.getTime() > Date.now()) {
      secrets.push(this.ctx.secrets.decrypt(d.previous_secret_enc));
    }
    const request: OutgoingRequest = {
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
    if (this.localReceiver) {
      const started = performance.now();
      const local = await this.localReceiver(request);
      if (local) return { request, outcome: { kind: 'response', response: local, durationMs: Math.round(performance.now() - started) } };
    }
    const auth = d.auth ?? { kind: 'none' };
    if (auth.kind === 'mtls') {
      request.tls = { cert: auth.cert, key: this.ctx.secrets.decrypt(d.auth_secret_enc ?? ''), ca: auth.ca };
      return { request, outcome: await sendHttp(request) };
    }
    if (auth.kind === 'oauth2') {
      const client: OAuthClient = {
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientSecret: this.ctx.secrets.decrypt(d.auth_secret_enc ?? ''),
        scope: auth.scope,
      };
      const withToken = async (): Promise<HttpOutcome> => {
        const started = performance.now();
        try {
          request.headers.authorization = `Bearer ${await this.#tokens.get(client)}`;
        } catch (error) {
          return { kind: 'error', errorClass: 'auth', error: (error as Error).message, durationMs: Math.round(performance.now() - started) };
        }
        return sendHttp(request);
      };
      let outcome = await withToken();
      if (outcome.kind === 'response' && outcome.response.status === 401) {
        // The token may have been revoked or expired early: fetch a new one, once.
        this.#tokens.invalidate(client);
        outcome = await withToken();
      }
      return { request, outcome };
    }
    return { request, outcome: await sendHttp(request) };
  }

  async #record(d: Claimed, jobId: string, request: OutgoingRequest, outcome: HttpOutcome): Promise<void> {
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
    const attemptValues = [
      d.id,
      d.attempt_count,
      request.url,
      JSON.stringify(redactHeaders(request.headers)),
      request.body,
      res?.status ?? null,
      res ? JSON.stringify(res.headers) : null,
      res?.body ?? null,
      outcome.durationMs,
      succeeded ? 'succeeded' : 'failed',
      errorClass,
      error,
    ];
    const insertAttempt = `insert into delivery_attempts
      (delivery_id, attempt, url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, outcome, error_class, error)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;
    const releaseSlot = `update endpoint_slots set released_at = clock_timestamp() where endpoint_id = $1 and delivery_id = $2 and released_at is null`;

    if (succeeded) {
      const sql = `with a as (${insertAttempt}),
        e as (update endpoints set failing_since = null where id = $13 and failing_since is not null)
        ${d.limited ? `, s as (update endpoint_slots set released_at = clock_timestamp() where endpoint_id = $13 and delivery_id = $1 and released_at is null)` : ''}
        update deliveries set status = 'succeeded', delivered_at = now(), updated_at = now(), last_status_code = $6, last_error = null
         where id = $1 and job_id = $14 returning run_id`;
      const values = [...attemptValues, d.endpoint_id, jobId];
      if (!d.run_id) {
        await this.ctx.pool.query(sql, values);
        return;
      }
      await withTransaction(this.ctx.pool, async (tx) => {
        const updated = await tx.query(sql, values);
        if (updated.rowCount) await resumeRun(tx, this.ctx, d.run_id!);
      });
      return;
    }

    await withTransaction(this.ctx.pool, async (tx) => {
      await tx.query(insertAttempt, attemptValues);
      if (d.limited) await tx.query(releaseSlot, [d.endpoint_id, d.id]);
      const windowSeconds = this.ctx.config.endpointFailureWindowMs / 1000;
      const ep = await tx.query<{ enabled: boolean; url: string; failing_since: Date; expired: boolean }>(
        `update endpoints set failing_since = coalesce(failing_since, now()) where id = $1
         returning enabled, url, failing_since, now() - failing_since > make_interval(secs => $2) as expired`,
        [d.endpoint_id, windowSeconds],
      );
      const endpoint = ep.rows[0];
      const lastStatus = { lastStatusCode: res?.status ?? null, lastError: error };
      const self = [d.id, jobId];
      if (!endpoint || !endpoint.enabled) {
        await parkDeliveries(tx, this.ctx, `id = $1 and job_id = $2`, self, 'the endpoint is disabled', lastStatus);
        return;
      }
      if (res?.status === 410) {
        await disableEndpoint(tx, this.ctx, d.endpoint_id, 'the receiver answered 410 Gone');
        await parkDeliveries(tx, this.ctx, `id = $1 and job_id = $2`, self, 'the endpoint was disabled: 410 Gone', lastStatus);
        return;
      }
      if (endpoint.expired) {
        const reason = `every attempt has failed since ${endpoint.failing_since.toISOString()}, longer than the ${formatWindow(this.ctx.config.endpointFailureWindowMs)} failure window`;
        await disableEndpoint(tx, this.ctx, d.endpoint_id, reason);
        await parkDeliveries(tx, this.ctx, `id = $1 and job_id = $2`, self, 'the endpoint was disabled after failing too long', lastStatus);
        return;
      }
      const schedule = this.ctx.config.retryScheduleMs;
      const attemptsSinceStart = d.attempt_count - d.retry_from;
      if (attemptsSinceStart <= schedule.length) {
        const base = schedule[attemptsSinceStart - 1]!;
        await reschedule(tx, this.ctx, d.id, jobId, withJitter(base), lastStatus);
        return;
      }
      const failed = await tx.query(
        `update deliveries set status = 'failed', updated_at = now(), next_attempt_at = null, last_status_code = $3, last_error = $4
          where id = $1 and job_id = $2`,
        [d.id, jobId, lastStatus.lastStatusCode, lastStatus.lastError],
      );
      if (failed.rowCount && d.run_id) await resumeRun(tx, this.ctx, d.run_id);
    });
  }
}

/** ±10 % so retries of many deliveries that failed together do not arrive together. */
export function withJitter(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

function formatWindow(ms: number): string {
  if (ms % 864e5 === 0) return `${ms / 864e5}-day`;
  if (ms % 36e5 === 0) return `${ms / 36e5}-hour`;
  if (ms % 6e4 === 0) return `${ms / 6e4}-minute`;
  return `${ms / 1000}-second`;
}

/** Moves a delivery to a new job that starts later; the old job (this one) becomes stale. */
async function reschedule(
  tx: PoolClient,
  ctx: AppContext,
  deliveryId: string,
  jobId: string,
  delayMs: number,
  last: { lastStatusCode?: number | null; lastError?: string | null },
): Promise<void> {
  const newJob = crypto.randomUUID();
  const at = new Date(Date.now() + delayMs);
  const updated = await tx.query(
    `update deliveries set status = 'pending', job_id = $3, next_attempt_at = $4, updated_at = now(),
            last_status_code = coalesce($5, last_status_code), last_error = coalesce($6, last_error)
      where id = $1 and job_id = $2`,
    [deliveryId, jobId, newJob, at, last.lastStatusCode ?? null, last.lastError ?? null],
  );
  if (updated.rowCount) await enqueueSends(tx, ctx, [{ id: deliveryId, job_id: newJob }], at);
}

/**
 * Deliveries of a disabled endpoint wait (paused) for the endpoint to be enabled again or
 * recovered. A workflow step's delivery cannot wait that long: it fails, and its run resumes.
 */
export async function parkDeliveries(
  tx: PoolClient,
  ctx: AppContext,
  where: string,
  values: unknown[],
  reason: string,
  last: { lastStatusCode?: number | null; lastError?: string | null } = {},
): Promise<void> {
  const n = values.length;
  const { rows } = await tx.query<{ run_id: string | null }>(
    `update deliveries
        set status = case when run_id is null then 'paused' else 'failed' end,
            job_id = null, next_attempt_at = null, updated_at = now(),
            last_status_code = coalesce($${n + 1}, last_status_code),
            last_error = coalesce($${n + 2}, last_error, $${n + 3})
      where ${where} and status in ('pending', 'sending')
      returning run_id`,
    [...values, last.lastStatusCode ?? null, last.lastError ?? null, reason],
  );
  for (const runId of new Set(rows.map((r) => r.run_id).filter((r): r is string => r !== null))) await resumeRun(tx, ctx, runId);
}

/** Disables an endpoint (once), pauses what it still had queued and emits `endpoint.disabled`. */
export async function disableEndpoint(tx: PoolClient, ctx: AppContext, endpointId: string, reason: string): Promise<boolean> {
  const { rows } = await tx.query<{ url: string }>(
    `update endpoints set enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
      where id = $1 and enabled returning url`,
    [endpointId, reason],
  );
  const ep = rows[0];
  if (!ep) return false;
  await parkDeliveries(tx, ctx, `endpoint_id = $1 and status = 'pending'`, [endpointId], `the endpoint was disabled: ${reason}`);
  await emitEvent(tx, ctx.boss, { type: 'endpoint.disabled', source: 'tripline', data: { endpointId, url: ep.url, reason } });
  await recordAudit(tx, { label: 'tripline' }, { action: 'endpoint.disable', targetType: 'endpoint', targetId: endpointId, after: { enabled: false, reason } });
  ctx.log.warn({ endpointId, reason }, 'endpoint disabled');
  return true;
}

/**
 * The engine resumes the run and reads the step's delivery status itself, right here in
 * the delivery's transaction (no extra job hop and commit); on a database error it falls
 * back to a `run.execute` job.
 */
async function resumeRun(tx: PoolClient, ctx: AppContext, runId: string): Promise<void> {
  // Only the run is known here; the engine's handler reads the step's delivery itself.
  await settledStepDeliveries(ctx, tx, [{ deliveryId: '', runId, nodeId: '', status: 'failed', attempts: 0, statusCode: null, error: null }]);
}

const PAYLOAD_ORDER = ['id', 'type', 'timestamp', 'data', 'source', 'causedBy', 'chain', 'subject', 'vars'];

/** jsonb does not keep key order; put the envelope's keys back in reading order. */
export function serializePayload(payload: Record<string, unknown>): string {
  const ordered: Record<string, unknown> = {};
  for (const key of PAYLOAD_ORDER) if (key in payload) ordered[key] = payload[key];
  for (const [key, value] of Object.entries(payload)) if (!(key in ordered)) ordered[key] = value;
  return JSON.stringify(ordered);
}

function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  if (out.authorization) out.authorization = out.authorization.replace(/^(\w+) .*/, '$1 [redacted]');
  return out;
}
