import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api/client.ts';

/** How a query reads: the console's session client by default, the portal's token client on its page. */
export type Getter = <T>(path: string) => Promise<T>;
const sessionGet: Getter = (path) => api.get(path);

export interface Query<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

/** Re-runs `tick` every `ms` while mounted (portal pages have no live stream: they look again). */
function usePoll(tick: () => void, ms: number | undefined, key: unknown) {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!ms) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [ms, key]);
}

/**
 * The shared part of both hooks: fetch the current path and hand the answer to `apply`,
 * unless the path changed meanwhile (a late answer to an old filter must not win), and
 * keep the error and the first-load flag.
 */
function useCurrentFetch(path: string | null, get: Getter) {
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const current = useRef(path);
  current.current = path;
  const getter = useRef(get);
  getter.current = get;
  const fetchInto = useCallback(async <V>(apply: (value: V) => void) => {
    const p = current.current;
    if (p === null) return;
    try {
      const value = await getter.current<V>(p);
      if (current.current !== p) return;
      apply(value);
      setError(undefined);
    } catch (e) {
      if (current.current === p) setError(toApiError(e));
    } finally {
      if (current.current === p) setLoading(false);
    }
  }, []);
  return { current, getter, error, setError, loading, setLoading, fetchInto };
}

/**
 * GET a path (null: nothing yet) and keep the answer; `reload` fetches again, quietly (the
 * data stays on screen while it loads).
 */
export function useQuery<T>(path: string | null, options: { get?: Getter; pollMs?: number } = {}): Query<T> {
  const [data, setData] = useState<T>();
  const { error, setError, loading, setLoading, fetchInto } = useCurrentFetch(path, options.get ?? sessionGet);
  const reload = useCallback(() => fetchInto<T>(setData), [fetchInto]);
  useEffect(() => {
    setLoading(path !== null);
    setData(undefined);
    setError(undefined);
    void reload();
  }, [path, reload, setError, setLoading]);
  usePoll(() => void reload(), options.pollMs, path);
  return { data, error, loading, reload };
}

export interface PagedList<T> {
  items: T[];
  hasMore: boolean;
  error: ApiError | undefined;
  loading: boolean;
  loadingMore: boolean;
  loadMore: () => Promise<void>;
  refresh: () => Promise<void>;
}

type Page<T> = { data: T[]; nextCursor: string | null };
const withCursor = (p: string, c: string) => `${p}${p.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(c)}`;

/**
 * Keyset-paginated list: first page, "Load more" appends the next, `refresh` reloads the
 * first page. With `keyOf`, a refresh keeps what "Load more" brought in beyond the first page.
 */
export function usePagedList<T>(path: string, keyOf?: (item: T) => string, options: { get?: Getter; pollMs?: number } = {}): PagedList<T> {
  const keyRef = useRef(keyOf);
  keyRef.current = keyOf;
  const [items, setItems] = useState<T[]>([]);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const { current, getter, error, setError, loading, setLoading, fetchInto } = useCurrentFetch(path, options.get ?? sessionGet);

  const refresh = useCallback(
    () =>
      fetchInto<Page<T>>((page) => {
        const key = keyRef.current;
        const prev = itemsRef.current;
        if (!key || prev.length <= page.data.length || page.nextCursor === null) {
          setItems(page.data);
          setCursor(page.nextCursor);
        } else {
          const fresh = new Set(page.data.map(key));
          setItems([...page.data, ...prev.slice(page.data.length).filter((x) => !fresh.has(key(x)))]);
        }
      }),
    [fetchInto],
  );

  useEffect(() => {
    setLoading(true);
    itemsRef.current = [];
    setItems([]);
    setCursor(null);
    void refresh();
  }, [path, refresh, setLoading]);
  usePoll(() => void refresh(), options.pollMs, path);

  const loadMore = useCallback(async () => {
    const p = current.current;
    if (!cursor || p === null) return;
    setLoadingMore(true);
    try {
      const page = await getter.current<Page<T>>(withCursor(p, cursor));
      if (current.current !== p) return;
      setItems((prev) => [...prev, ...page.data]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setLoadingMore(false);
    }
  }, [cursor, current, getter, setError]);

  return { items, hasMore: cursor !== null, error, loading, loadingMore, loadMore, refresh };
}
