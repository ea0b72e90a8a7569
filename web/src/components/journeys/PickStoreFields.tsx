import { useI18n } from '../../i18n';
import { TRIGGER_SKU, type Step } from '../../journeys';

type PickStore = Extract<Step, { pick_store: unknown }>['pick_store'];

/**
 * A pick_store step's fields: how far from the customer, and which product the store must have in
 * stock (the trigger event's, or a SKU typed in).
 */
export function PickStoreFields({
  pick,
  onChange,
  testId,
}: {
  pick: PickStore;
  onChange: (p: PickStore) => void;
  testId: string;
}) {
  const { t } = useI18n();
  const fromTrigger = pick.in_stock_sku === TRIGGER_SKU;
  return (
    <div className="form-grid">
      <label className="field">
        <span>{t('journeys.pickStore.km')}</span>
        <input
          type="number"
          min={0.1}
          max={100}
          step={0.5}
          value={pick.km}
          onChange={(e) => onChange({ ...pick, km: Number(e.target.value) })}
          data-testid={`${testId}-km`}
        />
      </label>
      <label className="field">
        <span>{t('journeys.pickStore.sku')}</span>
        <select
          value={fromTrigger ? 'trigger' : 'fixed'}
          onChange={(e) => onChange({ ...pick, in_stock_sku: e.target.value === 'trigger' ? TRIGGER_SKU : '' })}
          data-testid={`${testId}-sku-source`}
        >
          <option value="trigger">{t('journeys.pickStore.fromTrigger')}</option>
          <option value="fixed">{t('journeys.pickStore.fixed')}</option>
        </select>
      </label>
      {!fromTrigger && (
        <label className="field">
          <span>{t('journeys.pickStore.fixed')}</span>
          <input
            value={pick.in_stock_sku}
            onChange={(e) => onChange({ ...pick, in_stock_sku: e.target.value })}
            data-testid={`${testId}-sku`}
          />
        </label>
      )}
      <p className="muted small">{t('journeys.pickStore.hint')}</p>
    </div>
  );
}
