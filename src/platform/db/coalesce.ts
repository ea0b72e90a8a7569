/**
 * Read coalescing: concurrent callers asking for keys share one query. An idle loader sends a
 * request's query at once; requests that arrive while `maxInFlight` queries are running wait and
 * then go together in the next one (the union of their keys). A request never shares a query that
 * was sent before it arrived, so it sees everything committed before it was made, as its own
 * query would. Every caller gets the whole result map, which may hold other callers' keys too.
 */
export function coalescing<K, V>(load: (keys: K[]) => Promise<V>, maxInFlight = 1): (keys: readonly K[]) => Promise<V> {
  let next: { keys: Set<K>; waiters: { resolve(v: V): void; reject(e: unknown): void }[] } | null = null;
  let inFlight = 0;
  const send = (): void => {
    while (next && inFlight < maxInFlight) {
      const batch = next;
      next = null;
      inFlight++;
      new Promise<V>((resolve) => resolve(load([...batch.keys])))
        .then(
          (v) => batch.waiters.forEach((w) => w.resolve(v)),
          (e: unknown) => batch.waiters.forEach((w) => w.reject(e)),
        )
        .finally(() => {
          inFlight--;
          send();
        });
    }
  };
  return (keys) =>
    new Promise<V>((resolve, reject) => {
      next ??= { keys: new Set(), waiters: [] };
      for (const k of keys) next.keys.add(k);
      next.waiters.push({ resolve, reject });
      send();
    });
}

/** One coalescing loader per database handle (several servers may share a process in tests). */
export function coalescingPerHandle<H extends object, K, V>(
  load: (handle: H, keys: K[]) => Promise<V>,
  maxInFlight = 1,
): (handle: H, keys: readonly K[]) => Promise<V> {
  const loaders = new WeakMap<H, (keys: readonly K[]) => Promise<V>>();
  return (handle, keys) => {
    let l = loaders.get(handle);
    if (!l) {
      l = coalescing((ks: K[]) => load(handle, ks), maxInFlight);
      loaders.set(handle, l);
    }
    return l(keys);
  };
}
