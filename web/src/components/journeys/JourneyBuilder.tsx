import { useMemo, useState } from 'react';
import { ApiError } from '../../api';
import { useAction, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import {
  JOURNEY_TEMPLATES,
  journeyFromTemplate,
  stepIds,
  type Journey,
  type JourneyDefinition,
  type JourneyTemplate,
} from '../../journeys';
import { newIdempotencyKey, type CouponTemplate } from '../../loyalty';
import { navigate } from '../../router';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError } from '../Status';
import { Builder } from './builder-context';
import { StepList } from './StepList';
import { TriggerFields } from './TriggerFields';

/**
 * A new journey: start from one of the four flows (or the win-back one), adjust the trigger, the
 * vertical list of steps, the holdout and the goal, and save it as a draft (POST /v1/journeys; a
 * refusal names the path of the fault, `steps[1].wait.duration`).
 */
export function JourneyBuilder() {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const templates = useResource<{ items: CouponTemplate[] }>('/v1/coupon-templates', { limit: 200 });
  const coupons = useMemo(() => templates.data?.items ?? [], [templates.data]);
  const fromTemplate = (which: JourneyTemplate): JourneyDefinition =>
    journeyFromTemplate(
      which,
      {
        name: t(`journeys.template.${which}`),
        message: t(`journeys.template.${which}.message`),
        messageB: t('journeys.template.ab_coupon.messageB'),
      },
      coupons,
    );
  const [def, setDef] = useState<JourneyDefinition | null>(null);
  // A template replaces the whole draft: editors holding their own state (a branch's rule tree) start over.
  const [generation, setGeneration] = useState(0);
  const [idem] = useState(() => newIdempotencyKey('journey'));
  const taken = useMemo(() => stepIds(def?.steps ?? []), [def]);
  const set = (patch: Partial<JourneyDefinition>) => setDef((d) => (d ? { ...d, ...patch } : d));

  async function save() {
    if (!def) return;
    const created = await action.run(() => api.post<Journey>('/v1/journeys', def, { idempotencyKey: idem }));
    if (created) navigate('marketing', 'journeys', created.id);
  }

  const goal = def?.goal ?? null;
  return (
    <Builder.Provider value={{ coupons, taken }}>
      <Panel title={t('journeys.templates')} testId="journey-templates">
        <div className="journey-templates">
          {JOURNEY_TEMPLATES.map((w) => (
            <button
              key={w}
              type="button"
              className="journey-template"
              onClick={() => {
                action.clear();
                setDef(fromTemplate(w));
                setGeneration((g) => g + 1);
              }}
              disabled={!templates.data}
              data-testid={`journey-template-${w}`}
            >
              <strong>{t(`journeys.template.${w}`)}</strong>
              <span className="muted small">{t(`journeys.template.${w}.hint`)}</span>
            </button>
          ))}
        </div>
      </Panel>
      {def && (
        <Panel key={generation} title={t('journeys.builder')} testId="journey-builder">
          <div className="form-grid">
            <label className="field">
              <span>{t('journeys.name')}</span>
              <input value={def.name} onChange={(e) => set({ name: e.target.value })} data-testid="journey-name" />
            </label>
            <label className="field" title={t('journeys.holdoutHint')}>
              <span>{t('journeys.holdout')}</span>
              <input
                type="number"
                min={0}
                max={90}
                value={def.holdout_percent ?? 0}
                onChange={(e) => set({ holdout_percent: Math.floor(Number(e.target.value)) })}
                data-testid="journey-holdout"
              />
            </label>
          </div>
          <h3>{t('journeys.trigger')}</h3>
          <TriggerFields trigger={def.trigger} onChange={(trigger) => set({ trigger })} />
          <h3>{t('journeys.steps')}</h3>
          <StepList steps={def.steps} onChange={(steps) => set({ steps })} testId="journey-steps" />
          <h3>{t('journeys.goal')}</h3>
          <div className="form-grid" data-testid="journey-goal">
            <label className="field-inline">
              <input
                type="checkbox"
                checked={goal !== null}
                onChange={(e) => set({ goal: e.target.checked ? { ordered: { within_days: 14 } } : null })}
                data-testid="journey-goal-on"
              />
              {t('journeys.goal.on')}
            </label>
            {goal && (
              <>
                <label className="field">
                  <span>{t('journeys.goal.days')}</span>
                  <input
                    type="number"
                    min={1}
                    value={goal.ordered.within_days}
                    onChange={(e) =>
                      set({ goal: { ordered: { ...goal.ordered, within_days: Math.floor(Number(e.target.value)) } } })
                    }
                    data-testid="journey-goal-days"
                  />
                </label>
                <label className="field">
                  <span>{t('journeys.goal.sku')}</span>
                  <input
                    value={goal.ordered.sku ?? ''}
                    onChange={(e) =>
                      set({ goal: { ordered: { ...goal.ordered, sku: e.target.value.trim() || undefined } } })
                    }
                  />
                </label>
              </>
            )}
          </div>
          <ActionError error={action.error} testId="journey-save-error" />
          {action.error instanceof ApiError && action.error.field && (
            <p className="muted small" data-testid="journey-save-field">
              <code className="mono">{action.error.field}</code>
            </p>
          )}
          <div className="row-actions">
            <button
              type="button"
              className="btn btn-primary"
              onClick={save}
              disabled={action.busy}
              data-testid="journey-save"
            >
              {t('journeys.save')}
            </button>
            <button type="button" className="btn" onClick={() => navigate('marketing', 'journeys')}>
              {t('journeys.cancel')}
            </button>
          </div>
        </Panel>
      )}
    </Builder.Provider>
  );
}
