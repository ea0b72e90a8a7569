import { useState, type FormEvent } from 'react';
import type { LowStockPolicy } from '../../api';
import { formatInt } from '../../format';
import { useAction, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { useApi } from '../../session';
import type { LowStockRule } from '../../till';
import { ActionError, ErrorMessage } from '../Status';

const wholeOrEmpty = (v: string) => v.trim() === '' || /^\d{1,7}$/.test(v.trim());

/**
 * The low-stock thresholds an admin sets: the store threshold for every SKU (empty: off, PUT
 * /v1/stock/low-stock-policy) and products' own thresholds (PUT/DELETE /v1/stock/low-stock-rules/:sku).
 */
export function LowStockRules({ policy, onChanged }: { policy: LowStockPolicy; onChanged: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const rules = useResource<{ items: LowStockRule[] }>('/v1/stock/low-stock-rules');
  const [store, setStore] = useState(policy.store_threshold === undefined ? '' : String(policy.store_threshold));
  const [sku, setSku] = useState('');
  const [threshold, setThreshold] = useState('');
  const [saved, setSaved] = useState(false);

  async function saveStore(e: FormEvent) {
    e.preventDefault();
    if (!wholeOrEmpty(store)) return;
    const { store_threshold: _old, ...rest } = policy;
    const body = store.trim() === '' ? rest : { ...rest, store_threshold: Number(store) };
    if ((await action.run(() => api.put('/v1/stock/low-stock-policy', body))) === undefined) return;
    setSaved(true);
    onChanged();
  }

  async function setRule(e: FormEvent) {
    e.preventDefault();
    if (!sku.trim() || threshold.trim() === '' || !wholeOrEmpty(threshold)) return;
    const done = await action.run(() =>
      api.put(`/v1/stock/low-stock-rules/${encodeURIComponent(sku.trim())}`, { threshold: Number(threshold) }),
    );
    if (done === undefined) return;
    setSku('');
    setThreshold('');
    rules.reload();
    onChanged();
  }

  async function remove(ruleSku: string) {
    await action.run(() => api.del(`/v1/stock/low-stock-rules/${encodeURIComponent(ruleSku)}`));
    rules.reload();
    onChanged();
  }

  return (
    <div className="low-stock-rules" data-testid="low-stock-rules">
      <form className="inline-form" onSubmit={saveStore} noValidate data-testid="store-threshold-form">
        <label className="field-inline">
          <span>{t('lowLevels.storeThreshold')}</span>
          <input
            type="number"
            min={0}
            step={1}
            className="qty-input"
            value={store}
            placeholder={t('lowLevels.off')}
            onChange={(e) => {
              setSaved(false);
              setStore(e.target.value);
            }}
            data-testid="store-threshold"
          />
        </label>
        <button type="submit" className="btn btn-small" disabled={action.busy || !wholeOrEmpty(store)}>
          {t('lowLevels.save')}
        </button>
        {saved && (
          <span className="status status-ok" role="status">
            {t('lowLevels.saved')}
          </span>
        )}
      </form>
      <h3>{t('lowLevels.productRules')}</h3>
      {rules.error && <ErrorMessage error={rules.error} onRetry={rules.reload} />}
      {rules.data && rules.data.items.length === 0 && <p className="muted small">{t('lowLevels.noRules')}</p>}
      {rules.data && rules.data.items.length > 0 && (
        <div className="chips" data-testid="product-rules">
          {rules.data.items.map((r) => (
            <span key={r.sku} className="chip" data-sku={r.sku}>
              {r.name} <span className="mono muted small">{r.sku}</span> ≤ {formatInt(r.threshold)}
              <button
                type="button"
                className="chip-remove"
                onClick={() => remove(r.sku)}
                aria-label={t('lowLevels.remove')}
                data-testid={`product-rule-remove-${r.sku}`}
              >
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      <form className="inline-form" onSubmit={setRule} noValidate data-testid="product-rule-form">
        <input
          value={sku}
          className="mono"
          placeholder="SKU"
          aria-label="SKU"
          onChange={(e) => setSku(e.target.value)}
          data-testid="product-rule-sku"
        />
        <input
          type="number"
          min={0}
          step={1}
          className="qty-input"
          value={threshold}
          placeholder={t('lowLevels.threshold')}
          aria-label={t('lowLevels.threshold')}
          onChange={(e) => setThreshold(e.target.value)}
          data-testid="product-rule-threshold"
        />
        <button
          type="submit"
          className="btn btn-small"
          disabled={action.busy || !sku.trim() || threshold.trim() === ''}
          data-testid="product-rule-set"
        >
          {t('lowLevels.setRule')}
        </button>
      </form>
      <ActionError error={action.error} testId="low-stock-rules-error" />
    </div>
  );
}
