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

/**
 * Live notifications from GET /api/v1/stream. `onActivity` is called for each change of the
 * wanted kinds, and with an `overflow` (or a reconnect) when the page should simply refetch.
 */
export function useLiveActivity(kinds: Activity['kind'][], onActivity: (activity: Activity | 'refetch') => void): 'connecting' | 'live' | 'offline' {
  const [state, setState] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const handler = useRef(onActivity);
  handler.current = onActivity;
  const key = kinds.join(',');
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(`/api/v1/stream?kinds=${encodeURIComponent(key)}`);
    let wasLive = false;
    const onMessage = (e: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(e.data) as Activity);
      } catch {
        /* ignore a malformed message */
      }
    };
    source.addEventListener('ready', () => {
      setState('live');
      if (wasLive) handler.current('refetch');
      wasLive = true;
    });
    for (const k of key.split(',')) source.addEventListener(k, onMessage as EventListener);
    source.addEventListener('overflow', () => handler.current('refetch'));
    source.onerror = () => setState('offline');
    return () => source.close();
  }, [key]);
  return state;
}
