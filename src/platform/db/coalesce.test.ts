import { describe, expect, it } from 'vitest';
import { coalescing } from './coalesce';

/** A load whose queries the test finishes by hand, recording the keys of each. */
function manualLoad() {
  const queries: { keys: string[]; finish(): void; fail(e: Error): void }[] = [];
  const load = (keys: string[]) =>
    new Promise<Map<string, string>>((resolve, reject) => {
      queries.push({
        keys: [...keys].sort(),
        finish: () => resolve(new Map(keys.map((k) => [k, k.toUpperCase()]))),
        fail: reject,
      });
    });
  return { queries, load };
}

describe('coalescing reads', () => {
  it('sends an idle caller at once, and callers that arrive while queries run together in the next query', async () => {
    const m = manualLoad();
    const get = coalescing(m.load, 1);
    const first = get(['a']);
    expect(m.queries.map((q) => q.keys)).toEqual([['a']]);
    // Arriving while the first query runs: they must not share it (it may predate their writes).
    const second = get(['b', 'a']);
    const third = get(['c']);
    expect(m.queries).toHaveLength(1);
    m.queries[0].finish();
    expect((await first).get('a')).toBe('A');
    await new Promise((r) => setImmediate(r));
    expect(m.queries.map((q) => q.keys)).toEqual([['a'], ['a', 'b', 'c']]);
    m.queries[1].finish();
    const [s, t] = await Promise.all([second, third]);
    expect([s.get('b'), s.get('a'), t.get('c')]).toEqual(['B', 'A', 'C']);
    expect(s).toBe(t); // one result for the callers that shared the query
  });

  it('runs up to maxInFlight queries at once, and a failed query fails only its own callers', async () => {
    const m = manualLoad();
    const get = coalescing(m.load, 2);
    const one = get(['a']);
    const two = get(['b']);
    const three = get(['c']);
    expect(m.queries.map((q) => q.keys)).toEqual([['a'], ['b']]);
    m.queries[1].fail(new Error('boom'));
    await expect(two).rejects.toThrow('boom');
    await new Promise((r) => setImmediate(r));
    expect(m.queries.map((q) => q.keys)).toEqual([['a'], ['b'], ['c']]);
    m.queries[0].finish();
    m.queries[2].finish();
    expect((await one).get('a')).toBe('A');
    expect((await three).get('c')).toBe('C');
  });

  it('turns a load that throws at once into a rejection of its callers', async () => {
    const get = coalescing((): Promise<number> => {
      throw new Error('bad keys');
    });
    await expect(get(['x'])).rejects.toThrow('bad keys');
    await expect(get(['y'])).rejects.toThrow('bad keys');
  });
});
