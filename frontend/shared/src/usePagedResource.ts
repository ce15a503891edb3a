// Loads a cursor-paged list: the first page on mount (or when deps change), more pages on demand.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from './types';

export interface PagedResource<T> {
  items: T[];
  /** True while the first page loads; `loadingMore` covers later pages. */
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

export function usePagedResource<T>(
  loadPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>,
  deps: readonly unknown[],
): PagedResource<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(loadPage);
  loadRef.current = loadPage;
  const controllerRef = useRef<AbortController | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(true);
    setError(undefined);
    loadRef.current(null, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return;
        setItems(page.items);
        setCursor(page.nextCursor ?? null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => controller.abort();
    // `loadPage` is a fresh closure each render; the caller's deps say when the list really changes (and the lint
    // checks the caller's list as it checks an effect's: eslint.config.js names this hook).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);

  const loadMore = useCallback(() => {
    const controller = controllerRef.current;
    if (!cursor || !controller) return;
    setLoadingMore(true);
    setError(undefined);
    loadRef.current(cursor, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return;
        setItems((current) => [...current, ...page.items]);
        setCursor(page.nextCursor ?? null);
        setLoadingMore(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure);
        setLoadingMore(false);
      },
    );
  }, [cursor]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { items, loading, loadingMore, error, hasMore: cursor !== null, loadMore, reload };
}
