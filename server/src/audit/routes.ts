import { auditEntrySchema, auditQuerySchema, pageSchema } from '@tripline/shared';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { auditActions, queryAudit } from '../db/audit.ts';
import { declareRoutes } from '../http/route.ts';
import { csvHeader, csvLine } from './csv.ts';
import { withTargetNames } from './display.ts';

const tag = 'Audit';
const access = 'audit:read';

/** What CSV exports in this process are doing (read by the back-pressure test). */
export const csvExports = { open: 0, waitingForDrain: 0, pagesRead: 0 };

/** Writes a chunk; when the client's buffer is full, waits for it to drain. False: the client left. */
function writeOrWait(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  csvExports.waitingForDrain++;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      csvExports.waitingForDrain--;
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Read-only on purpose: there is no route that changes the audit log, and the database refuses it too. */
export function auditRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    {
      method: 'get',
      path: '/audit',
      access,
      tag,
      summary: 'The audit log, newest first; filters actor, action, targetType, targetId, since, until; cursor = nextCursor of the previous page',
      query: auditQuerySchema,
      response: pageSchema(auditEntrySchema.extend({ targetName: z.string().nullable().meta({ description: 'the target as people know it (a workflow name, an email), now' }) })),
    },
    async ({ query }) => {
      const page = await queryAudit(ctx.pool, query);
      return { ...page, data: await withTargetNames(ctx.pool, page.data) };
    },
  );

  route(
    { method: 'get', path: '/audit/actions', access, tag, summary: 'Every action name in the log, for filters', response: z.object({ data: z.array(z.string()) }) },
    async () => ({ data: await auditActions(ctx.pool) }),
  );

  route(
    {
      method: 'get',
      path: '/audit.csv',
      access,
      tag,
      summary: 'The audit log as CSV, same filters (every matching entry)',
      // Every matching entry, read 500 at a time: a limit asked for does not apply.
      query: auditQuerySchema.omit({ limit: true }),
      produces: 'text/csv',
    },
    async ({ res, query }) => {
      const q = { ...query, limit: 500 };
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="tripline-audit-${new Date().toISOString().slice(0, 10)}.csv"`);
      // Streams page by page (keyset), so an export of the whole log never sits in memory:
      // the next page is read only once the client has taken the last (back-pressure), and a
      // client that leaves stops the export.
      csvExports.open++;
      try {
        if (!(await writeOrWait(res, csvHeader()))) return;
        let cursor = q.cursor;
        for (;;) {
          const page = await queryAudit(ctx.pool, { ...q, cursor });
          csvExports.pagesRead++;
          if (page.data.length && !(await writeOrWait(res, page.data.map(csvLine).join('')))) return;
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        res.end();
      } finally {
        csvExports.open--;
      }
    },
  );

  return router;
}
