import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Loads `load()` now and again every `intervalMs` while `active` and the page is visible (polling
 * pauses in a background tab and catches up on return). `reload()` fetches at once, e.g. after a
 * write. The last good value stays while a later poll fails; `error` holds that failure.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  { intervalMs = 2500, active = true }: { intervalMs?: number; active?: boolean } = {},
): { data: T | undefined; error: unknown; reload: () => Promise<void> } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const loadRef = useRef(load);
  loadRef.current = load;
  const live = useRef(true);

  const reload = useCallback(async () => {
    try {
      const value = await loadRef.current();
      if (!live.current) return;
      setData(value);
      setError(undefined);
    } catch (e) {
      if (live.current) setError(e);
    }
  }, []);

  useEffect(() => {
    live.current = true;
    void reload();
    return () => {
      live.current = false;
    };
  }, [reload]);

  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      timer = setTimeout(() => {
        if (document.visibilityState === 'visible') void reload().finally(tick);
        else tick();
      }, intervalMs);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    tick();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [active, intervalMs, reload]);

  return { data, error, reload };
}
