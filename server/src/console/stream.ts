import { activityKinds, type Activity } from '@tripline/shared';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { HttpError } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import type { ActivityHub } from './activity.ts';

/** A connection receives at most one batch per interval, whatever the write rate. */
export const FLUSH_INTERVAL_MS = 250;
/** Above this many distinct changes in one interval, the client is told to refetch instead. */
export const MAX_PER_FLUSH = 100;
const HEARTBEAT_MS = 15_000;
/** Open streams per caller (a person or an API key) and per process: each holds a socket and a listener. */
export const MAX_STREAMS_PER_CALLER = 5;
export const MAX_STREAMS_TOTAL = 200;

const streamQuery = z.object({
  kinds: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((k) => k.trim()) : [...activityKinds]))
    .pipe(z.array(z.enum(activityKinds)).min(1)),
});

/** What the streams of one router hold right now (read by tests and logs). */
export interface StreamState {
  hub: ActivityHub;
  open: number;
  byCaller: Map<string, number>;
  /** Streams whose client is not reading: nothing more is written until it drains. */
  waitingForDrain: number;
}

// Keyed by the process's context: tests run several Tripline instances in one process.
const states = new WeakMap<object, StreamState>();

export function streamState(ctx: object): StreamState | undefined {
  return states.get(ctx);
}

function callerKey(req: Request): string {
  const p = req.principal;
  return p.kind === 'anonymous' ? 'anonymous' : `${p.kind}:${p.id}`;
}

/**
 * Live updates for the console. Each connection coalesces what arrives during an interval
 * (the latest status per id wins) and writes it in one go, so a burst of thousands of
 * changes costs a browser a handful of messages, never a flood. A client that stops
 * reading is not written to until its socket drains (what arrives meanwhile coalesces the
 * same way, bounded by MAX_PER_FLUSH), so a stalled client costs a bounded buffer.
 */
export function streamRouter(hub: ActivityHub, ctx: object): Router {
  const router = Router();
  const state: StreamState = { hub, open: 0, byCaller: new Map(), waitingForDrain: 0 };
  states.set(ctx, state);
  const route = declareRoutes(router);
  const summary = `Server-Sent Events: \`run\`, \`delivery\` and \`event\` notifications ({kind, id, status}); \`overflow\` means refetch; 429 beyond ${MAX_STREAMS_PER_CALLER} open streams per caller`;
  route({ method: 'get', path: '/stream', access: 'runs:read', tag: 'Console', summary, query: streamQuery, produces: 'text/event-stream' }, async ({ req, res, query: { kinds } }) => {
    const caller = callerKey(req);
    if (state.open >= MAX_STREAMS_TOTAL) throw new HttpError(429, 'too_many_streams', `this server holds ${MAX_STREAMS_TOTAL} live streams already; try again later`);
    if ((state.byCaller.get(caller) ?? 0) >= MAX_STREAMS_PER_CALLER) {
      throw new HttpError(429, 'too_many_streams', `you have ${MAX_STREAMS_PER_CALLER} live streams open already; close one (another tab?) first`);
    }
    state.open++;
    state.byCaller.set(caller, (state.byCaller.get(caller) ?? 0) + 1);

    const wanted = new Set<string>(kinds);
    const pending = new Map<string, Activity>();
    let overflow = false;
    let timer: NodeJS.Timeout | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    let waiting = false;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      if (waiting) state.waitingForDrain--;
      unsubscribe?.();
      state.open--;
      const left = (state.byCaller.get(caller) ?? 1) - 1;
      if (left > 0) state.byCaller.set(caller, left);
      else state.byCaller.delete(caller);
    };
    // Registered before subscribing: a client that leaves while we subscribe still frees its listener.
    req.on('close', close);
    res.on('close', close);
    res.on('error', close);

    /** Writes unless the client is not reading; false means wait for 'drain'. */
    const write = (chunk: string) => {
      if (closed || res.writableEnded) return;
      if (!res.write(chunk) && !waiting) {
        waiting = true;
        state.waitingForDrain++;
        res.once('drain', () => {
          waiting = false;
          state.waitingForDrain--;
          if (pending.size || overflow) flush();
        });
      }
    };
    const flush = () => {
      timer = undefined;
      if (waiting || closed) return; // kept (coalesced) until the client drains
      if (overflow) write(`event: overflow\ndata: {}\n\n`);
      else {
        let out = '';
        for (const a of pending.values()) out += `event: ${a.kind}\ndata: ${JSON.stringify(a)}\n\n`;
        if (out) write(out);
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

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);

    const off = await hub.subscribe(onActivity);
    if (closed) return void off();
    unsubscribe = off;
    // Sent once listening: a client that waits for `ready` misses nothing committed after it.
    write(`retry: 3000\nevent: ready\ndata: {}\n\n`);
    heartbeat = setInterval(() => {
      if (!waiting) write(`: ping\n\n`);
    }, HEARTBEAT_MS);
  });
  return router;
}
