import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Api, Page, Product } from '../../api';
import { formatFen } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useApi } from '../../session';
import { ActionError } from '../Status';
import './till.css';

/** Products whose name or SKU holds the text, or whose barcode is it. */
const searchProducts = (api: Api, q: string) =>
  api.get<Page<Product>>('/v1/products', { q, limit: 10 }).then((r) => r.items);

/** The product a scan or a typed text names: the exact SKU or barcode, else the only match. */
function exactOrOnly(items: Product[], text: string): Product | null {
  const lower = text.toLowerCase();
  return (
    items.find((p) => p.sku.toLowerCase() === lower || p.barcode === text) ?? (items.length === 1 ? items[0] : null)
  );
}

/**
 * Finds a product at the till by a scanned barcode, its SKU or part of its name
 * (GET /v1/products?q=): Enter adds the exact or only match with the quantity; several matches are
 * listed to pick from as the cashier types.
 */
export function ProductSearch({ onAdd }: { onAdd: (p: Product, qty: number) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [text, setText] = useState('');
  const [qty, setQty] = useState('1');
  const [matches, setMatches] = useState<Product[]>([]);
  const [refused, setRefused] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const generation = useRef(0);

  // Suggestions while typing a name (two characters or more), the latest answer only.
  useEffect(() => {
    const q = text.trim();
    const gen = ++generation.current;
    if (q.length < 2) return setMatches([]);
    const timer = window.setTimeout(() => {
      searchProducts(api, q).then(
        (items) => gen === generation.current && setMatches(items),
        () => undefined, // Enter searches again and shows its error
      );
    }, 250);
    return () => window.clearTimeout(timer);
  }, [text, api]);

  function add(p: Product) {
    const n = Number(qty);
    if (!Number.isInteger(n) || n < 1) return;
    if (!p.channels.includes('pos')) return setRefused(t('tillSearch.notPos', { name: p.name }));
    onAdd(p, n);
    generation.current++;
    setText('');
    setQty('1');
    setMatches([]);
    setRefused(null);
    input.current?.focus();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const q = text.trim();
    if (!q) return;
    setRefused(null);
    const items = await action.run(() => searchProducts(api, q));
    if (!items) return;
    const p = exactOrOnly(items, q);
    if (p) return add(p);
    setMatches(items);
    if (items.length === 0) setRefused(t('tillSearch.none', { q }));
  }

  return (
    <div className="till-search">
      <form className="inline-form till-scan" onSubmit={submit} noValidate data-testid="till-scan">
        <input
          ref={input}
          value={text}
          placeholder={t('tillSearch.placeholder')}
          aria-label={t('tillSearch.label')}
          onChange={(e) => setText(e.target.value)}
          data-testid="till-sku"
        />
        <input
          type="number"
          min={1}
          step={1}
          value={qty}
          className="qty-input"
          aria-label={t('till.qty')}
          onChange={(e) => setQty(e.target.value)}
          data-testid="till-qty"
        />
        <button type="submit" className="btn" disabled={action.busy || !text.trim()} data-testid="till-add">
          {t('till.add')}
        </button>
      </form>
      {refused && (
        <div className="status status-error form-error" role="alert" data-testid="till-unknown-sku">
          {refused}
        </div>
      )}
      <ActionError error={action.error} testId="till-sku-error" />
      {matches.length > 0 && (
        <ul className="till-search-results" aria-label={t('tillSearch.pick')} data-testid="till-search-results">
          {matches.map((p) => (
            <li key={p.sku}>
              <button type="button" onClick={() => add(p)} data-testid="till-search-result" data-sku={p.sku}>
                <span>
                  <span>{p.name}</span>
                  <span className="mono muted small">
                    {' '}
                    {p.sku}
                    {p.barcode && ` · ${p.barcode}`}
                  </span>
                </span>
                <span>{formatFen(p.list_price)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
