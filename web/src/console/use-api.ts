import type { Activity } from '@tripline/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api/client.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

/** GET a path (null: nothing yet) and keep the answer; `reload` fetches again, quietly. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const current = useRef(path);
  current.current = path;

  const reload = useCallback(async () => {
    const p = current.current;
    if (p === null) return;
    try {
      const value = await api.get<T>(p);
      if (current.current !== p) return;
      setData(value);
      setError(undefined);
    } catch (e) {
      if (current.current === p) setError(toApiError(e));
    } finally {
      if (current.current === p) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(path !== null);
    setData(undefined);
    setError(undefined);
    void reload();
  }, [path, reload]);

  return { data, error, loading, reload };
}

/**
 * Keyset-paginated list: first page, "Load more" appends the next, `refresh` reloads the
 * first page (and keeps what is loaded beyond it out, to stay simple and correct).
 */
export function usePagedList<T>(path: string, keyOf?: (item: T) => string) {
  const keyRef = useRef(keyOf);
  keyRef.current = keyOf;
  const [items, setItems] = useState<T[]>([]);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const current = useRef(path);
  current.current = path;

  const withCursor = (p: string, c: string) => `${p}${p.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(c)}`;

  const refresh = useCallback(async () => {
    const p = current.current;
    try {
      const page = await api.get<{ data: T[]; nextCursor: string | null }>(p);
      if (current.current !== p) return;
      const key = keyRef.current;
      const prev = itemsRef.current;
      // Live refresh keeps what was loaded beyond the first page (with "Load more") and its cursor.
      if (!key || prev.length <= page.data.length || page.nextCursor === null) {
        setItems(page.data);
        setCursor(page.nextCursor);
      } else {
        const fresh = new Set(page.data.map(key));
        setItems([...page.data, ...prev.slice(page.data.length).filter((x) => !fresh.has(key(x)))]);
      }
      setError(undefined);
    } catch (e) {
      if (current.current === p) setError(toApiError(e));
    } finally {
      if (current.current === p) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    itemsRef.current = [];
    setItems([]);
    setCursor(null);
    void refresh();
  }, [path, refresh]);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    const p = current.current;
    setLoadingMore(true);
    try {
      const page = await api.get<{ data: T[]; nextCursor: string | null }>(withCursor(p, cursor));
      if (current.current !== p) return;
      setItems((prev) => [...prev, ...page.data]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setLoadingMore(false);
    }
  }, [cursor]);

  return { items, hasMore: cursor !== null, error, loading, loadingMore, loadMore, refresh };
}

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
