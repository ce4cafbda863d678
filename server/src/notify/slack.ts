import { sendHttp } from '../delivery/http-client.ts';
import type { SendResult } from './smtp.ts';

export interface SlackMessage {
  /** The credential holding the incoming-webhook URL: the URL is a secret and stays in the credential. */
  credential: string;
  text: string;
  blocks: unknown[] | null;
}

/**
 * Posts to a Slack incoming webhook through the HTTP step's client and SSRF guard (the
 * URL check, and every resolved address checked at connect time). Slack answers 200 "ok";
 * 429 and 5xx are worth another try, other 4xx (an invalid payload, a revoked hook) are
 * not. The URL never reaches an error or the record: it is the credential.
 */
export async function postToSlack(url: string, message: SlackMessage, opts: { allowPrivate: boolean; timeoutMs: number }): Promise<SendResult> {
  const body = JSON.stringify({ text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) });
  const outcome = await sendHttp({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: opts.timeoutMs, allowPrivate: opts.allowPrivate });
  const redact = (s: string) => s.split(url).join('<webhook URL>');
  if (outcome.kind === 'error') {
    const permanent = outcome.errorClass === 'ssrf_blocked';
    return { outcome: permanent ? 'permanent' : 'temporary', responseCode: null, response: null, error: redact(`${outcome.errorClass}: ${outcome.error}`), durationMs: outcome.durationMs };
  }
  const { status, body: answer } = outcome.response;
  const response = redact(`HTTP ${status} ${answer.slice(0, 500)}`.trim());
  if (status >= 200 && status < 300) return { outcome: 'sent', responseCode: status, response, durationMs: outcome.durationMs };
  const temporary = status === 429 || status >= 500;
  return { outcome: temporary ? 'temporary' : 'permanent', responseCode: status, response, error: `Slack answered HTTP ${status}`, durationMs: outcome.durationMs };
}
