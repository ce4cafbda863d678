import nodemailer from 'nodemailer';
import type { SmtpSettings } from '@tripline/shared';
import type { AppContext } from '../context.ts';
import { smtpSettingsRow } from '../db/notifications.ts';
import type { Queryable } from '../db/queryable.ts';

/** The SMTP server as resolved for sending: the password decrypted, in memory only. */
export interface SmtpServer {
  host: string;
  port: number;
  security: 'starttls' | 'tls' | 'none';
  username: string | null;
  password: string | null;
  from: string;
  source: 'settings' | 'environment';
  updatedAt: Date | null;
}

/** TRIPLINE_SMTP_URL as a server: smtp:// (STARTTLS when offered, port 587) or smtps:// (TLS, port 465), `?from=`. */
export function parseSmtpUrl(text: string): SmtpServer {
  const url = new URL(text);
  const tls = url.protocol === 'smtps:';
  const security = url.searchParams.get('security');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : tls ? 465 : 587,
    security: tls ? 'tls' : security === 'none' ? 'none' : 'starttls',
    username: url.username ? decodeURIComponent(url.username) : null,
    password: url.password ? decodeURIComponent(url.password) : null,
    from: url.searchParams.get('from') ?? `tripline@${url.hostname}`,
    source: 'environment',
    updatedAt: null,
  };
}

/** The server saved under Settings → Email, else TRIPLINE_SMTP_URL, else none. */
export async function resolveSmtp(app: AppContext, db: Queryable = app.pool): Promise<SmtpServer | undefined> {
  const row = await smtpSettingsRow(db);
  if (row) {
    return {
      host: row.host,
      port: row.port,
      security: row.security,
      username: row.username,
      password: row.password_encrypted ? app.secrets.decrypt(row.password_encrypted) : null,
      from: row.from_address,
      source: 'settings',
      updatedAt: row.updated_at,
    };
  }
  return app.config.smtpUrl ? parseSmtpUrl(app.config.smtpUrl) : undefined;
}

/** What the API shows: everything but the password. */
export function smtpView(server: SmtpServer | undefined): SmtpSettings {
  if (!server) return { configured: false, source: 'none', host: null, port: null, security: null, username: null, passwordSet: false, from: null, updatedAt: null };
  return {
    configured: true,
    source: server.source,
    host: server.host,
    port: server.port,
    security: server.security,
    username: server.username,
    passwordSet: server.password !== null,
    from: server.from,
    updatedAt: server.updatedAt?.toISOString() ?? null,
  };
}

export interface EmailMessage {
  to: string[];
  cc: string[];
  replyTo: string | null;
  subject: string;
  text: string;
  html: string | null;
}

/** What the server answered: sent, or a temporary (4xx, network) or permanent (5xx) refusal. */
export type SendResult =
  | { outcome: 'sent'; responseCode: number | null; response: string; durationMs: number }
  | { outcome: 'temporary' | 'permanent'; responseCode: number | null; response: string | null; error: string; durationMs: number };

/**
 * Sends one message over a fresh connection (a message at a time keeps a stuck server
 * from holding a pool of them). `messageId` is fixed by the caller, so a message sent
 * again after a crash carries the same Message-ID and receivers can tell it is the same.
 * Errors never include the password: nodemailer's own logger stays off.
 */
export async function sendEmail(server: SmtpServer, message: EmailMessage, messageId: string): Promise<SendResult> {
  const started = performance.now();
  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: server.security === 'tls',
    // `starttls`: upgrade when the server offers it (nodemailer's default); `none`: never.
    ignoreTLS: server.security === 'none',
    auth: server.username ? { user: server.username, pass: server.password ?? '' } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    logger: false,
    debug: false,
  });
  try {
    const info = await transport.sendMail({
      from: server.from,
      to: message.to,
      cc: message.cc.length ? message.cc : undefined,
      replyTo: message.replyTo ?? undefined,
      subject: message.subject,
      text: message.text,
      html: message.html ?? undefined,
      messageId,
      headers: { 'X-Mailer': 'Tripline' },
    });
    const code = /^(\d{3})/.exec(info.response ?? '');
    const rejected = (info.rejected ?? []).map(String);
    const response = rejected.length ? `${info.response} (refused: ${rejected.join(', ')})` : String(info.response ?? '');
    return { outcome: 'sent', responseCode: code ? Number(code[1]) : null, response, durationMs: performance.now() - started };
  } catch (error) {
    const e = error as Error & { responseCode?: number; response?: string; code?: string };
    const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
    // 5xx is the server saying "never"; 4xx, timeouts and refused connections may pass.
    const outcome = responseCode !== null && responseCode >= 500 ? 'permanent' : 'temporary';
    return { outcome, responseCode, response: e.response ?? null, error: `${e.code ? `${e.code}: ` : ''}${e.message}`, durationMs: performance.now() - started };
  } finally {
    transport.close();
  }
}
