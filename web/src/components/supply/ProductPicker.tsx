import { useEffect, useState } from 'react';
import type { Page, Product } from '../../api';
import { useI18n } from '../../i18n';
import { useApi } from '../../session';

/** Products whose name or SKU holds the text (two characters or more), the latest answer only. */
function useProductSearch(q: string): Product[] {
  const api = useApi();
  const [found, setFound] = useState<Product[]>([]);
  useEffect(() => {
    const text = q.trim();
    if (text.length < 2) return setFound([]);
    let live = true;
    const timer = window.setTimeout(() => {
      api.get<Page<Product>>('/v1/products', { q: text, limit: 8 }).then(
        (r) => live && setFound(r.items),
        () => undefined,
      );
    }, 250);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [q, api]);
  return found;
}

/**
 * A product found by typing part of its name (a form field, then the matches to click as chips):
 * store managers pick products by name, never by code. `testId`-search and `testId`-found.
 */
export function ProductPicker({
  label,
  testId,
  onPick,
}: {
  label: string;
  testId: string;
  onPick: (p: Product) => void;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const found = useProductSearch(q);
  return (
    <>
      <label className="field">
        <span>{label}</span>
        <input
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t('cs.searchProducts')}
          data-testid={`${testId}-search`}
        />
      </label>
      {found.length > 0 && (
        <div className="chips" data-testid={`${testId}-found`}>
          {found.map((p) => (
            <button
              type="button"
              key={p.sku}
              className="chip"
              onClick={() => {
                onPick(p);
                setQ('');
              }}
            >
              + {p.name}
            </button>
          ))}
        </div>
      )}
    </>
  );
}
