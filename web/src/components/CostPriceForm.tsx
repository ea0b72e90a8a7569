import { useState, type FormEvent } from 'react';
import type { Product } from '../api';
import { formatFen } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { can, useMe } from '../me';
import { useApi } from '../session';
import { ActionError } from './Status';

/** A product's unit cost (the margin basis of the stores' revenue share): shown to all, changed by admins. */
export function CostPriceForm({ product, onSaved }: { product: Product; onSaved: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const save = useAction();
  const [yuan, setYuan] = useState(product.cost_price === null ? '' : (product.cost_price / 100).toFixed(2));
  const editable = can(me, 'manageSettlements');

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = yuan.trim();
    const cost = trimmed === '' ? null : Math.round(Number(trimmed) * 100);
    if (cost !== null && (!Number.isFinite(cost) || cost < 0)) return;
    const { sku: _sku, updated_at: _u, ...rest } = product;
    const done = await save.run(() =>
      api.put<Product>(`/v1/products/${encodeURIComponent(product.sku)}`, { ...rest, cost_price: cost }),
    );
    if (done) onSaved();
  }

  if (!editable)
    return (
      <p className="muted small" data-testid="cost-price">
        {t('cost.label')}: {product.cost_price === null ? t('cost.none') : formatFen(product.cost_price)}
      </p>
    );
  return (
    <form className="form-row" onSubmit={submit} noValidate data-testid="cost-price-form">
      <label className="field">
        <span>{t('cost.label')}</span>
        <input
          inputMode="decimal"
          value={yuan}
          placeholder={t('cost.none')}
          onChange={(e) => setYuan(e.target.value)}
          data-testid="cost-price-input"
        />
      </label>
      <button type="submit" className="btn btn-small" disabled={save.busy} data-testid="cost-price-save">
        {t('settle.save')}
      </button>
      <ActionError error={save.error} testId="cost-price-error" />
    </form>
  );
}
