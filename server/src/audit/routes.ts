import { auditEntrySchema, auditQuerySchema, pageSchema } from '@tripline/shared';
import { Router, type Response } from 'express';
import { authorize } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { z } from 'zod';
import { auditActions, withTargetNames } from './display.ts';
import { csvHeader, csvLine, queryAudit } from './query.ts';

describeRoute({
  method: 'get',
  path: '/api/v1/audit',
  tag: 'Audit',
  summary: 'The audit log, newest first; filters actor, action, targetType, targetId, since, until; cursor = nextCursor of the previous page',
  response: pageSchema(auditEntrySchema.extend({ targetName: z.string().nullable().meta({ description: 'the target as people know it (a workflow name, an email), now' }) })),
});
describeRoute({ method: 'get', path: '/api/v1/audit/actions', tag: 'Audit', summary: 'Every action name in the log, for filters', response: z.object({ data: z.array(z.string()) }) });
describeRoute({ method: 'get', path: '/api/v1/audit.csv', tag: 'Audit', summary: 'The audit log as CSV, same filters (every matching entry)' });

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

  router.get('/audit', authorize('audit:read'), async (req, res) => {
    const q = parseOr422(auditQuerySchema, req.query, 'query');
    const page = await queryAudit(ctx.pool, q);
    res.json({ ...page, data: await withTargetNames(ctx.pool, page.data) });
  });

  router.get('/audit/actions', authorize('audit:read'), async (_req, res) => {
    res.json({ data: await auditActions(ctx.pool) });
  });

  router.get('/audit.csv', authorize('audit:read'), async (req, res) => {
    const q = parseOr422(auditQuerySchema, { ...req.query, limit: 500 }, 'query');
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
  });

  return router;
}
