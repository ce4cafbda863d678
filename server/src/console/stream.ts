import { activityKinds, type Activity } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../auth/middleware.ts';
import { parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import type { ActivityHub } from './activity.ts';

/** A connection receives at most one batch per interval, whatever the write rate. */
export const FLUSH_INTERVAL_MS = 250;
/** Above this many distinct changes in one interval, the client is told to refetch instead. */
export const MAX_PER_FLUSH = 100;
const HEARTBEAT_MS = 15_000;

const streamQuery = z.object({
  kinds: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((k) => k.trim()) : [...activityKinds]))
    .pipe(z.array(z.enum(activityKinds)).min(1)),
});

describeRoute({
  method: 'get',
  path: '/api/v1/stream',
  tag: 'Console',
  summary: 'Server-Sent Events: `run`, `delivery` and `event` notifications ({kind, id, status}); `overflow` means refetch',
});

/**
 * Live updates for the console. Each connection coalesces what arrives during an interval
 * (the latest status per id wins) and writes it in one go, so a burst of thousands of
 * changes costs a browser a handful of messages, never a flood.
 */
export function streamRouter(hub: ActivityHub): Router {
  const router = Router();
  router.get('/stream', authorize('runs:read'), async (req, res) => {
    const { kinds } = parseOr422(streamQuery, req.query, 'query');
    const wanted = new Set<string>(kinds);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);

    const pending = new Map<string, Activity>();
    let overflow = false;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (res.writableEnded) return;
      if (overflow) {
        res.write(`event: overflow\ndata: {}\n\n`);
      } else {
        let out = '';
        for (const a of pending.values()) out += `event: ${a.kind}\ndata: ${JSON.stringify(a)}\n\n`;
        if (out) res.write(out);
      }
      pending.clear();
      overflow = false;
    };
    const onActivity = (activity: Activity) => {
      if (!wanted.has(activity.kind)) return;
      if (!overflow) {
        const key = `${activity.kind}:${activity.id}`;
        pending.delete(key);
        pending.set(key, activity);
        if (pending.size > MAX_PER_FLUSH) {
          overflow = true;
          pending.clear();
        }
      }
      timer ??= setTimeout(flush, FLUSH_INTERVAL_MS);
    };

    const unsubscribe = await hub.subscribe(onActivity);
    // Sent once listening: a client that waits for `ready` misses nothing committed after it.
    res.write(`retry: 3000\nevent: ready\ndata: {}\n\n`);
    const heartbeat = setInterval(() => res.write(`: ping\n\n`), HEARTBEAT_MS);
    const close = () => {
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      unsubscribe();
    };
    req.on('close', close);
    res.on('error', close);
  });
  return router;
}
