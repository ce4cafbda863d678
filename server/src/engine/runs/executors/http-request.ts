import { originAllowed, urlOrigin, type NodeConfig } from '@tripline/shared';
import { credentialForSending, redactSecret } from '../../../credentials/store.ts';
import { sendHttp, type HttpOutcome } from '../../../delivery/http-client.ts';
import { renderTemplate } from '../../template.ts';
import type { Executor, StepContext } from '../types.ts';
import { dryRunCallsOut, liveTx } from './step-mode.ts';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 2;
/** The contract's cap on a response body kept at vars.<saveAs> (the delivery attempt log keeps 16 KB). */
export const HTTP_REQUEST_RESPONSE_LIMIT = 1024 * 1024;
/** Between attempts: short, because the run's transaction is open while the step waits. */
const RETRY_DELAYS_MS = [200, 600, 1500, 3000, 5000];

function text(template: string, scope: unknown): string {
  const value = renderTemplate(template, scope);
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The request as rendered from the config; the credential is added only when sending. */
function buildRequest(config: NodeConfig<'http_request'>, step: StepContext) {
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = text(template, step.scope);
  const body = config.body === undefined ? '' : text(config.body, step.scope);
  if (body && !headers['content-type']) headers['content-type'] = isJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
  return { method: config.method, url: text(config.url, step.scope), headers, body };
}

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

const retryable = (o: HttpOutcome) =>
  o.kind === 'error' ? o.errorClass !== 'ssrf_blocked' : o.response.status >= 500 || o.response.status === 429;

/**
 * Calls an HTTP API through the delivery HTTP client (the endpoints' SSRF guard: URL check,
 * and every resolved address checked in the socket's lookup) and keeps {status, headers,
 * body} at vars.<saveAs>. A 2xx continues on `out`; anything else fails the step after its
 * retries (the `error` output when connected). The credential's value is sent but never
 * recorded: the step's output shows the header names only, it is sent only to the origins
 * the credential allows, and a response that echoes it is stored with "[redacted]" instead.
 */
export const httpRequest: Executor<'http_request'> = async (config, step) => {
  const request = buildRequest(config, step);
  const shown = { method: request.method, url: request.url, headers: Object.keys(request.headers), credential: config.credential ?? null };
  if (!liveTx(step) && !dryRunCallsOut(step)) {
    return { kind: 'next', handle: 'out', output: { dryRun: true, wouldCall: shown }, vars: { [config.saveAs]: null } };
  }
  const headers = { ...request.headers };
  let secret: string | undefined;
  if (config.credential) {
    const credential = await credentialForSending(liveTx(step) ?? step.app.pool, step.app.secrets, config.credential);
    if (credential === undefined) return { kind: 'fail', error: `credential "${config.credential}" does not exist; add it under Settings → Credentials`, output: { request: shown } };
    // Checked on the URL as rendered, since a template can put any host there: the value
    // goes only where whoever stored it said it may.
    if (!originAllowed(request.url, credential.allowedOrigins)) {
      const allowed = credential.allowedOrigins.length ? credential.allowedOrigins.join(', ') : 'nowhere yet (save it again with its origins)';
      return {
        kind: 'fail',
        error: `credential "${config.credential}" may only be sent to ${allowed}, not to ${urlOrigin(request.url) ?? request.url}; nothing was sent`,
        output: { request: shown },
      };
    }
    secret = credential.value;
    headers[(config.credentialHeader ?? 'authorization').toLowerCase()] = secret;
  }
  const retries = config.retries ?? DEFAULT_RETRIES;
  let outcome: HttpOutcome;
  let attempts = 0;
  for (;;) {
    attempts++;
    outcome = await sendHttp({
      url: request.url,
      // sendHttp passes the method straight to http.request; its type lists POST and GET only.
      method: request.method as 'POST',
      headers,
      body: request.body,
      timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      allowPrivate: step.app.config.allowPrivateTargets,
      responseLimit: HTTP_REQUEST_RESPONSE_LIMIT,
    });
    if (attempts > retries || !retryable(outcome)) break;
    await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempts - 1] ?? 5000));
  }
  if (outcome.kind === 'error') {
    return { kind: 'fail', error: `${request.method} ${request.url}: ${outcome.error}`, output: { request: shown, attempts, errorClass: outcome.errorClass } };
  }
  const { status, headers: responseHeaders, body, truncated } = outcome.response;
  // A body cut at the cap is kept as the text it is (it would not parse), and says so.
  const received = truncated
    ? { status, headers: responseHeaders, body, truncated: true }
    : { status, headers: responseHeaders, body: parseBody(body, responseHeaders['content-type']) };
  // Whatever is kept (the output, vars.<saveAs>) never holds the credential, even echoed back.
  const response = secret === undefined ? received : redactSecret(received, secret);
  const output = { request: shown, attempts, durationMs: outcome.durationMs, response };
  if (status < 200 || status > 299) return { kind: 'fail', error: `${request.method} ${request.url} answered HTTP ${status}`, output };
  return { kind: 'next', handle: 'out', output, vars: { [config.saveAs]: response } };
};

function parseBody(body: string, contentType: string | undefined): unknown {
  if (!/json/i.test(contentType ?? '') && !/^\s*[[{]/.test(body)) return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
