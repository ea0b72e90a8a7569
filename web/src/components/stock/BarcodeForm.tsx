import { useState, type FormEvent } from 'react';
import type { Product } from '../../api';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useMe } from '../../me';
import { useApi } from '../../session';
import { ActionError } from '../Status';

const BARCODE = /^[0-9]{8,14}$/;

/** A product's barcode (the till scans it): shown to all, set or cleared by admins (PUT /v1/products/:sku). */
export function BarcodeForm({ product, onSaved }: { product: Product; onSaved: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const save = useAction();
  const [code, setCode] = useState(product.barcode ?? '');
  const valid = code.trim() === '' || BARCODE.test(code.trim());

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!valid) return;
    const { sku: _sku, updated_at: _u, ...rest } = product;
    const done = await save.run(() =>
      api.put<Product>(`/v1/products/${encodeURIComponent(product.sku)}`, { ...rest, barcode: code.trim() || null }),
    );
    if (done) onSaved();
  }

  if (me?.role !== 'admin')
    return (
      <p className="muted small" data-testid="barcode">
        {t('barcode.label')}: <span className="mono">{product.barcode ?? t('common.none')}</span>
      </p>
    );
  return (
    <form className="form-row" onSubmit={submit} noValidate data-testid="barcode-form">
      <label className="field">
        <span>{t('barcode.label')}</span>
        <input
          inputMode="numeric"
          className="mono"
          value={code}
          placeholder={t('common.none')}
          onChange={(e) => setCode(e.target.value)}
          aria-invalid={!valid}
          data-testid="barcode-input"
        />
      </label>
      <button type="submit" className="btn btn-small" disabled={save.busy || !valid} data-testid="barcode-save">
        {t('lowLevels.save')}
      </button>
      {!valid && <span className="status status-error">{t('barcode.invalid')}</span>}
      <ActionError error={save.error} testId="barcode-error" />
    </form>
  );
}
