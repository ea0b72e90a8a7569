import { useI18n } from '../../i18n';
import { MESSAGE_CHANNELS, type MessageChannel, type Step } from '../../journeys';
import { useBuilder } from './builder-context';
import { PickStoreFields } from './PickStoreFields';
import { WaitFields } from './WaitFields';

/** The fields of one step's own body (a branch's rule and arms, a split's variants are drawn by StepList). */
export function StepFields({ step, onChange, testId }: { step: Step; onChange: (s: Step) => void; testId: string }) {
  const { t } = useI18n();
  const { coupons } = useBuilder();
  const id = step.id;
  if ('wait' in step)
    return <WaitFields wait={step.wait} onChange={(wait) => onChange({ id, wait })} testId={testId} />;
  if ('pick_store' in step)
    return (
      <PickStoreFields pick={step.pick_store} onChange={(pick_store) => onChange({ id, pick_store })} testId={testId} />
    );
  if ('issue_coupon' in step) {
    const c = step.issue_coupon;
    /** The coupon with a yes/no option set (present, true) or cleared (absent). */
    const flag = (key: 'sku_from_trigger' | 'at_picked_store', on: boolean) => {
      const { [key]: _, ...rest } = c;
      return { id, issue_coupon: on ? { ...rest, [key]: true } : rest };
    };
    return (
      <div className="form-grid">
        <label className="field">
          <span>{t('journeys.coupon.template')}</span>
          <select
            value={c.template_id}
            onChange={(e) => onChange({ id, issue_coupon: { ...c, template_id: e.target.value } })}
            data-testid={`${testId}-template`}
          >
            <option value="">{t('journeys.coupon.pick')}</option>
            {coupons.map((tpl) => (
              <option key={tpl.id} value={tpl.id}>
                {tpl.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <input
            type="checkbox"
            checked={c.sku_from_trigger ?? false}
            onChange={(e) => onChange(flag('sku_from_trigger', e.target.checked))}
            data-testid={`${testId}-sku-from-trigger`}
          />
          {t('journeys.coupon.skuFromTrigger')}
        </label>
        <label className="field-inline">
          <input
            type="checkbox"
            checked={c.at_picked_store ?? false}
            onChange={(e) => onChange(flag('at_picked_store', e.target.checked))}
            data-testid={`${testId}-at-picked-store`}
          />
          {t('journeys.coupon.atPickedStore')}
        </label>
      </div>
    );
  }
  if ('send_message' in step) {
    const m = step.send_message;
    return (
      <div className="journey-message">
        <label className="field">
          <span>{t('journeys.message.channel')}</span>
          <select
            value={m.channel}
            onChange={(e) => onChange({ id, send_message: { ...m, channel: e.target.value as MessageChannel } })}
            data-testid={`${testId}-channel`}
          >
            {MESSAGE_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`journeys.channel.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('journeys.message.text')}</span>
          <textarea
            rows={2}
            value={m.text}
            onChange={(e) => onChange({ id, send_message: { ...m, text: e.target.value } })}
            data-testid={`${testId}-text`}
          />
        </label>
        <p className="muted small">{t('journeys.message.vars')}</p>
        <p className="muted small">{t('journeys.message.storeVar')}</p>
      </div>
    );
  }
  if ('add_tag' in step || 'remove_tag' in step) {
    const add = 'add_tag' in step;
    const tag = add ? step.add_tag : step.remove_tag;
    return (
      <label className="field">
        <span>{t('journeys.tag')}</span>
        <input
          value={tag}
          onChange={(e) => onChange(add ? { id, add_tag: e.target.value } : { id, remove_tag: e.target.value })}
          data-testid={`${testId}-tag`}
        />
      </label>
    );
  }
  return null;
}
