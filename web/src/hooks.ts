import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page, Query } from './api';
import { useApi } from './session';

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

/** GETs `path` (null: nothing to load) and again whenever path or query change or reload() is called. */
export function useResource<T>(path: string | null, query?: Query): Resource<T> {
  const api = useApi();
  const queryKey = JSON.stringify(query ?? {});
  const requestKey = path === null ? null : `${path}?${queryKey}`;
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<{ key: string | null; data?: T; error?: Error; loading: boolean }>({
    key: null,
    loading: false,
  });

  useEffect(() => {
    if (path === null) return;
    const ctrl = new AbortController();
    // Keep the figures of the same request while it reloads; drop those of another one.
    setState((s) =>
      s.key === requestKey ? { ...s, loading: true, error: undefined } : { key: requestKey, loading: true },
    );
    api
      .get<T>(path, JSON.parse(queryKey) as Query, ctrl.signal)
      .then((data) => setState({ key: requestKey, data, loading: false }))
      .catch((error: unknown) => {
        if (!isAbort(error))
          setState({
            key: requestKey,
            error: error instanceof Error ? error : new Error(String(error)),
            loading: false,
          });
      });
    return () => ctrl.abort();
  }, [api, path, queryKey, requestKey, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const current = state.key === requestKey;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: requestKey !== null && (!current || state.loading),
    reload,
  };
}

export interface PagedList<T> {
  items: T[];
  error: Error | undefined;
  loading: boolean;
  /** True while there is a next page to load. */
  hasMore: boolean;
  /** How many match over all pages, when the list counts them (else null). */
  total: number | null;
  loadMore(): void;
  reload(): void;
}

/** A cursor-paginated list ({items, next_cursor}); starts over whenever path or query change. */
export function usePagedList<T>(path: string, query: Query = {}, limit = 50): PagedList<T> {
  const api = useApi();
  const queryKey = JSON.stringify(query);
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  // Answers for an older filter are dropped.
  const generation = useRef(0);
  const inflight = useRef<AbortController | null>(null);

  const fetchPage = useCallback(
    (after: string | null, gen: number) => {
      inflight.current?.abort();
      const ctrl = new AbortController();
      inflight.current = ctrl;
      setLoading(true);
      setError(undefined);
      api
        .get<Page<T>>(path, { ...(JSON.parse(queryKey) as Query), limit, cursor: after ?? undefined }, ctrl.signal)
        .then((page) => {
          if (gen !== generation.current) return;
          setItems((prev) => (after ? [...prev, ...page.items] : page.items));
          setCursor(page.next_cursor);
          setTotal(page.total ?? null);
          setLoading(false);
        })
        .catch((err: unknown) => {
          if (isAbort(err) || gen !== generation.current) return;
          setError(err instanceof Error ? err : new Error(String(err)));
          setLoading(false);
        });
    },
    [api, path, queryKey, limit],
  );

  useEffect(() => {
    const gen = ++generation.current;
    setItems([]);
    setCursor(null);
    fetchPage(null, gen);
    return () => inflight.current?.abort();
  }, [fetchPage, nonce]);

  const loadMore = useCallback(() => {
    if (cursor && !loading) fetchPage(cursor, generation.current);
  }, [cursor, loading, fetchPage]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);

  return { items, error, loading, hasMore: cursor !== null, total, loadMore, reload };
}

export interface Action {
  busy: boolean;
  error: Error | null;
  /** Runs one write; its error is kept (and undefined returned) instead of thrown. */
  run<T>(write: () => Promise<T>): Promise<T | undefined>;
  clear(): void;
}

/** One write at a time (a button or a form), with its error kept for showing inline. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async <T>(write: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await write();
    } catch (err) {
      if (mounted.current) setError(err instanceof Error ? err : new Error(String(err)));
      return undefined;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/** Calls fn every `ms` while the page is visible (a store tablet's queue refreshing itself). */
export function useInterval(fn: () => void, ms: number): void {
  const latest = useRef(fn);
  useEffect(() => {
    latest.current = fn;
  }, [fn]);
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') latest.current();
    }, ms);
    return () => window.clearInterval(timer);
  }, [ms]);
}
