import { useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { newTrigger, TRIGGER_KINDS, triggerKind, type Trigger, type TriggerKind } from '../../journeys';
import type { SavedSegment } from '../../marketing';

/** A datetime-local input's value (local time, minutes) for an ISO time, and back. */
const localInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Event types a trigger is offered (any other may be typed): behaviour events, appointments, pre-sales. */
const EVENT_TYPES = [
  'product_viewed',
  'added_to_cart',
  'search',
  'store_visit',
  'page_view',
  'coupon_claimed',
  'appointment.booked',
  'appointment.completed',
  'presale.reserved',
  'presale.launched',
];

/** What makes a customer enter: the trigger's kind and its fields. */
export function TriggerFields({ trigger, onChange }: { trigger: Trigger; onChange: (t: Trigger) => void }) {
  const { t } = useI18n();
  const kind = triggerKind(trigger);
  const segments = useResource<{ items: SavedSegment[] }>(
    kind === 'segment_entered' || kind === 'broadcast' ? '/v1/segments' : null,
  );
  const segmentPicker = (value: string, set: (id: string) => void) => (
    <label className="field">
      <span>{t('journeys.trigger.segment')}</span>
      <select value={value} onChange={(e) => set(e.target.value)} data-testid="journey-trigger-segment">
        <option value="">{t('journeys.trigger.pickSegment')}</option>
        {(segments.data?.items ?? []).map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  );
  const int = (v: string) => Math.max(0, Math.floor(Number(v)));
  return (
    <div className="form-grid" data-testid="journey-trigger">
      <label className="field">
        <span>{t('journeys.trigger')}</span>
        <select
          value={kind}
          onChange={(e) => onChange(newTrigger(e.target.value as TriggerKind))}
          data-testid="journey-trigger-kind"
        >
          {TRIGGER_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`journeys.trigger.${k}`)}
            </option>
          ))}
        </select>
      </label>
      {'event' in trigger && (
        <>
          <label className="field">
            <span>{t('journeys.trigger.eventType')}</span>
            <input
              value={trigger.event.type}
              list="journey-event-types"
              onChange={(e) => onChange({ event: { ...trigger.event, type: e.target.value } })}
              data-testid="journey-trigger-event"
            />
            <datalist id="journey-event-types">
              {EVENT_TYPES.map((e) => (
                <option key={e} value={e}>
                  {translateValue(t, 'eventType', e)}
                </option>
              ))}
            </datalist>
          </label>
          <label className="field">
            <span>{t('journeys.trigger.sku')}</span>
            <input
              value={String(trigger.event.properties?.sku ?? '')}
              onChange={(e) =>
                onChange({
                  event: {
                    type: trigger.event.type,
                    ...(e.target.value ? { properties: { sku: e.target.value } } : {}),
                  },
                })
              }
              data-testid="journey-trigger-sku"
            />
          </label>
        </>
      )}
      {'segment_entered' in trigger &&
        segmentPicker(trigger.segment_entered, (id) => onChange({ segment_entered: id }))}
      {'inactive' in trigger && (
        <label className="field">
          <span>{t('journeys.trigger.days')}</span>
          <input
            type="number"
            min={1}
            value={trigger.inactive.days}
            onChange={(e) => onChange({ inactive: { days: int(e.target.value) } })}
            data-testid="journey-trigger-days"
          />
        </label>
      )}
      {'date_trait' in trigger && (
        <>
          <label className="field">
            <span>{t('journeys.trigger.trait')}</span>
            <input
              value={trigger.date_trait.trait}
              onChange={(e) => onChange({ date_trait: { ...trigger.date_trait, trait: e.target.value } })}
            />
          </label>
          <label className="field">
            <span>{t('journeys.trigger.daysBefore')}</span>
            <input
              type="number"
              min={0}
              value={trigger.date_trait.days_before}
              onChange={(e) => onChange({ date_trait: { ...trigger.date_trait, days_before: int(e.target.value) } })}
            />
          </label>
        </>
      )}
      {'broadcast' in trigger && (
        <>
          {segmentPicker(trigger.broadcast.segment, (id) =>
            onChange({ broadcast: { ...trigger.broadcast, segment: id } }),
          )}
          <label className="field">
            <span>{t('journeys.trigger.at')}</span>
            <input
              type="datetime-local"
              value={localInput(trigger.broadcast.at)}
              onChange={(e) =>
                e.target.value &&
                onChange({ broadcast: { ...trigger.broadcast, at: new Date(e.target.value).toISOString() } })
              }
            />
          </label>
        </>
      )}
    </div>
  );
}
