import { useEffect, useState } from 'react';
import { useApi } from '../../session';
import type { StockTotals } from '../../till';

const CHUNK = 200; // the most SKUs GET /v1/stock/totals takes at once

/** Units on hand over every location of these SKUs (the product list's stock column); empty while loading. */
export function useStockTotals(skus: string[]): Map<string, number> {
  const api = useApi();
  const key = skus.join(',');
  const [totals, setTotals] = useState<{ key: string; map: Map<string, number> }>({ key: '', map: new Map() });
  useEffect(() => {
    if (!key) return;
    const ctrl = new AbortController();
    const list = key.split(',');
    const chunks: string[][] = [];
    for (let i = 0; i < list.length; i += CHUNK) chunks.push(list.slice(i, i + CHUNK));
    Promise.all(chunks.map((c) => api.get<StockTotals>('/v1/stock/totals', { skus: c.join(',') }, ctrl.signal))).then(
      (answers) => setTotals({ key, map: new Map(answers.flatMap((a) => a.items.map((i) => [i.sku, i.on_hand]))) }),
      () => undefined, // the column stays empty; the list itself shows errors
    );
    return () => ctrl.abort();
  }, [api, key]);
  return totals.map;
}
