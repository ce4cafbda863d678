import { notificationSchema, smtpSettingsInputSchema, smtpSettingsSchema, testEmailInputSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { listAlerts } from '../db/alerts.ts';
import { findNotification, listAttempts, listNotifications, saveSmtpSettings, toNotification } from '../db/notifications.ts';
import { withTransaction } from '../db/pool.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { messageIdFor } from './request.ts';
import { resolveSmtp, sendEmail, smtpView } from './smtp.ts';

const tag = 'Notifications';

const attemptSchema = z.object({
  attempt: z.number().int(),
  outcome: z.enum(['sent', 'temporary', 'permanent']),
  responseCode: z.number().int().nullable(),
  response: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  createdAt: z.string(),
});

const alertSchema = z.object({
  key: z.string(),
  kind: z.string(),
  title: z.string(),
  detail: z.string(),
  /** The console page that explains it. */
  link: z.string(),
  openedAt: z.string(),
  clearedAt: z.string().nullable(),
  messages: z.number().int(),
  count: z.number().int(),
});

export function notifyRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    { method: 'get', path: '/notify/smtp', access: 'settings:read', tag, summary: 'The SMTP server emails go through (never the password)', response: smtpSettingsSchema },
    async () => smtpView(await resolveSmtp(ctx)),
  );

  route(
    {
      method: 'put',
      path: '/notify/smtp',
      access: 'settings:write',
      tag,
      summary: 'Set the SMTP server; the password is encrypted and never shown again (leave it out to keep the stored one)',
      body: smtpSettingsInputSchema,
      response: smtpSettingsSchema,
    },
    async ({ req, body }) => {
      const actor = actorFrom(req);
      await withTransaction(ctx.pool, async (tx) => {
        const passwordEncrypted = body.password === undefined ? undefined : body.password === '' ? null : ctx.secrets.encrypt(body.password);
        await saveSmtpSettings(tx, { host: body.host, port: body.port, security: body.security, username: body.username || null, passwordEncrypted, from: body.from, updatedBy: actor.label });
        // What changed, never the password.
        await recordAudit(tx, actor, {
          action: 'smtp.updated',
          targetType: 'settings',
          targetId: 'smtp',
          after: { host: body.host, port: body.port, security: body.security, username: body.username ?? null, from: body.from, passwordChanged: body.password !== undefined },
        });
      });
      return smtpView(await resolveSmtp(ctx));
    },
  );

  route(
    {
      method: 'post',
      path: '/notify/smtp/test',
      access: 'settings:write',
      tag,
      summary: 'Send a test email now and answer with what the SMTP server said',
      body: testEmailInputSchema,
      response: z.object({ sent: z.boolean(), response: z.string().nullable(), error: z.string().nullable(), messageId: z.string() }),
    },
    async ({ body }) => {
      const server = await resolveSmtp(ctx);
      if (!server) throw new HttpError(409, 'smtp_not_configured', 'no SMTP server is set up yet: save one first');
      const messageId = messageIdFor(`test:${Date.now()}:${Math.random()}`);
      const result = await sendEmail(
        server,
        { to: [body.to], cc: [], replyTo: null, subject: 'Tripline test email', text: `This is a test email from Tripline, sent through ${server.host}:${server.port}. Email steps and alerts will use this server.`, html: null },
        messageId,
      );
      return { sent: result.outcome === 'sent', response: result.response, error: result.outcome === 'sent' ? null : result.error, messageId };
    },
  );

  route(
    {
      method: 'get',
      path: '/notifications',
      access: 'runs:read',
      tag,
      summary: 'Emails and Slack messages, newest first (a run\'s with ?runId=)',
      query: z.object({ runId: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: z.object({ data: z.array(notificationSchema) }),
    },
    async ({ query }) => ({ data: (await listNotifications(ctx.pool, query)).map(toNotification) }),
  );

  route(
    {
      method: 'get',
      path: '/notifications/:id',
      access: 'runs:read',
      tag,
      summary: 'One message with every attempt and the server\'s answer to it',
      response: notificationSchema.extend({ attempts: z.number().int(), history: z.array(attemptSchema) }),
    },
    async ({ params }) => {
      const row = await findNotification(ctx.pool, params.id!);
      if (!row) throw notFound('message', params.id!);
      const history = (await listAttempts(ctx.pool, row.id)).map((a) => ({ ...a, createdAt: a.createdAt.toISOString() }));
      return { ...toNotification(row), history };
    },
  );

  route(
    {
      method: 'get',
      path: '/alerts',
      access: 'settings:read',
      tag,
      summary: 'Alerts, open ones and recently cleared, newest first (set who hears them in the `alerts` setting)',
      response: z.object({ data: z.array(alertSchema) }),
    },
    async () => ({
      data: (await listAlerts(ctx.pool, 100)).map((a) => ({
        key: a.key,
        kind: a.kind,
        title: a.title,
        detail: a.detail,
        link: a.link,
        openedAt: a.opened_at.toISOString(),
        clearedAt: a.cleared_at?.toISOString() ?? null,
        messages: a.sent_count,
        count: a.count,
      })),
    }),
  );

  return router;
}
