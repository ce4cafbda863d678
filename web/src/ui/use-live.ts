import type { Activity } from '@tripline/shared';
import { useEffect, useRef, useState } from 'react';

type LiveState = 'connecting' | 'live' | 'offline';
type Subscriber = { kinds: ReadonlySet<string>; onActivity: (activity: Activity | 'refetch') => void; onState: (state: LiveState) => void };

/**
 * One EventSource per browser tab, shared by every component that listens: browsers allow
 * only six HTTP/1.1 connections per origin, and a page with a list and a detail panel would
 * otherwise hold two streams open. Opened with the first subscriber, closed with the last.
 */
const live = {
  source: undefined as EventSource | undefined,
  state: 'connecting' as LiveState,
  subscribers: new Set<Subscriber>(),
  wasLive: false,
  setState(state: LiveState) {
    live.state = state;
    for (const s of live.subscribers) s.onState(state);
  },
  open() {
    if (live.source || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/stream');
    live.source = source;
    const dispatch = (e: MessageEvent<string>) => {
      let activity: Activity;
      try {
        activity = JSON.parse(e.data) as Activity;
      } catch {
        return;
      }
      for (const s of live.subscribers) if (s.kinds.has(activity.kind)) s.onActivity(activity);
    };
    for (const kind of ['run', 'delivery', 'event']) source.addEventListener(kind, dispatch as EventListener);
    source.addEventListener('ready', () => {
      live.setState('live');
      // Back after a drop: what happened meanwhile was not streamed, so everyone refetches.
      if (live.wasLive) for (const s of live.subscribers) s.onActivity('refetch');
      live.wasLive = true;
    });
    source.addEventListener('overflow', () => {
      for (const s of live.subscribers) s.onActivity('refetch');
    });
    source.onerror = () => live.setState('offline');
  },
  close() {
    live.source?.close();
    live.source = undefined;
    live.wasLive = false;
    live.state = 'connecting';
  },
};

/**
 * Live notifications from GET /api/v1/stream. `onActivity` is called for each change of the
 * wanted kinds, and with 'refetch' (after an overflow or a reconnect) when the page should
 * simply load again.
 */
export function useLiveActivity(kinds: Activity['kind'][], onActivity: (activity: Activity | 'refetch') => void): LiveState {
  const [state, setState] = useState<LiveState>(live.state);
  const handler = useRef(onActivity);
  handler.current = onActivity;
  const key = kinds.join(',');
  useEffect(() => {
    const subscriber: Subscriber = { kinds: new Set(key.split(',')), onActivity: (a) => handler.current(a), onState: setState };
    live.subscribers.add(subscriber);
    live.open();
    setState(live.state);
    return () => {
      live.subscribers.delete(subscriber);
      if (live.subscribers.size === 0) live.close();
    };
  }, [key]);
  return state;
}

/**
 * Calls `refresh` when relevant activity arrives, at most once per `minIntervalMs` (a
 * trailing call catches what came in meanwhile), so a busy system does not turn every
 * open page into a stream of reloads.
 */
export function useLiveRefresh(
  kinds: Activity['kind'][],
  refresh: () => void,
  options: { relevant?: (activity: Activity) => boolean; minIntervalMs?: number } = {},
): 'connecting' | 'live' | 'offline' {
  const latest = useRef({ refresh, relevant: options.relevant });
  latest.current = { refresh, relevant: options.relevant };
  const minInterval = options.minIntervalMs ?? 1500;
  const cooling = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pending = useRef(false);
  useEffect(() => () => clearTimeout(cooling.current), []);
  return useLiveActivity(kinds, (activity) => {
    if (activity !== 'refetch' && latest.current.relevant && !latest.current.relevant(activity)) return;
    if (cooling.current) {
      pending.current = true;
      return;
    }
    latest.current.refresh();
    const cool = () => {
      cooling.current = setTimeout(() => {
        cooling.current = undefined;
        if (pending.current) {
          pending.current = false;
          latest.current.refresh();
          cool();
        }
      }, minInterval);
    };
    cool();
  });
}
