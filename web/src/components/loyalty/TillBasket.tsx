import { useRef, useState, type FormEvent } from 'react';
import { ApiError, type Product } from '../../api';
import { formatFen } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useApi } from '../../session';
import { ActionError } from '../Status';

export interface BasketLine {
  sku: string;
  qty: number;
  name: string;
  list_price: number;
}

/** Scan or type a SKU (Enter adds it; the same SKU again adds to its line); quantities editable, lines removable. */
export function TillBasket({ lines, onChange }: { lines: BasketLine[]; onChange: (lines: BasketLine[]) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [sku, setSku] = useState('');
  const [qty, setQty] = useState('1');
  const [unknown, setUnknown] = useState<string | null>(null);
  const skuInput = useRef<HTMLInputElement>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    const code = sku.trim();
    const n = Number(qty);
    if (!code || !Number.isInteger(n) || n < 1) return;
    setUnknown(null);
    const existing = lines.find((l) => l.sku === code);
    if (existing) {
      onChange(lines.map((l) => (l.sku === code ? { ...l, qty: l.qty + n } : l)));
    } else {
      const p = await action.run(async () => {
        try {
          return await api.get<Product>(`/v1/products/${encodeURIComponent(code)}`);
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        }
      });
      if (p === undefined) return;
      if (p === null) return setUnknown(code);
      if (!p.channels.includes('pos')) return setUnknown(code);
      onChange([...lines, { sku: p.sku, qty: n, name: p.name, list_price: p.list_price }]);
    }
    setSku('');
    setQty('1');
    skuInput.current?.focus();
  }

  return (
    <div className="till-basket" data-testid="till-basket">
      <form className="inline-form till-scan" onSubmit={add} noValidate data-testid="till-scan">
        <input
          ref={skuInput}
          value={sku}
          className="mono"
          placeholder={t('till.skuPlaceholder')}
          aria-label={t('till.sku')}
          onChange={(e) => setSku(e.target.value)}
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
        <button type="submit" className="btn" disabled={action.busy || !sku.trim()} data-testid="till-add">
          {t('till.add')}
        </button>
      </form>
      {unknown && (
        <div className="status status-error form-error" role="alert" data-testid="till-unknown-sku">
          {t('till.unknownSku', { sku: unknown })}
        </div>
      )}
      <ActionError error={action.error} testId="till-sku-error" />
      {lines.length === 0 ? (
        <p className="muted small" data-testid="till-empty">
          {t('till.emptyBasket')}
        </p>
      ) : (
        <table className="table table-compact" data-testid="till-lines">
          <thead>
            <tr>
              <th>{t('orders.sku')}</th>
              <th className="num">{t('till.unitPrice')}</th>
              <th className="num">{t('till.qty')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.sku} data-testid="till-line" data-sku={l.sku}>
                <td>
                  <div>{l.name}</div>
                  <div className="mono muted small">{l.sku}</div>
                </td>
                <td className="num">{formatFen(l.list_price)}</td>
                <td className="num">
                  <input
                    type="number"
                    min={1}
                    step={1}
                    className="qty-input"
                    value={l.qty}
                    aria-label={t('till.qtyOf', { sku: l.sku })}
                    onChange={(e) => {
                      const n = Math.floor(Number(e.target.value));
                      if (n >= 1) onChange(lines.map((x) => (x.sku === l.sku ? { ...x, qty: n } : x)));
                    }}
                    data-testid={`till-line-qty-${l.sku}`}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    className="btn btn-small btn-link"
                    onClick={() => onChange(lines.filter((x) => x.sku !== l.sku))}
                    data-testid={`till-line-remove-${l.sku}`}
                  >
                    {t('loyalty.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
