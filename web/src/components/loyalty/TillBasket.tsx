import type { Product } from '../../api';
import { formatFen } from '../../format';
import { useI18n } from '../../i18n';
import { ProductSearch } from '../till/ProductSearch';

export interface BasketLine {
  sku: string;
  qty: number;
  name: string;
  list_price: number;
}

/** Scan a barcode or find a product by name or SKU (the same product again adds to its line); quantities editable, lines removable. */
export function TillBasket({ lines, onChange }: { lines: BasketLine[]; onChange: (lines: BasketLine[]) => void }) {
  const { t } = useI18n();

  function add(p: Product, n: number) {
    if (lines.some((l) => l.sku === p.sku))
      onChange(lines.map((l) => (l.sku === p.sku ? { ...l, qty: l.qty + n } : l)));
    else onChange([...lines, { sku: p.sku, qty: n, name: p.name, list_price: p.list_price }]);
  }

  return (
    <div className="till-basket" data-testid="till-basket">
      <ProductSearch onAdd={add} />
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
