import { useState, type FormEvent } from 'react';
import { CHANNELS } from '../../api';
import { useAction, useResource } from '../../hooks';
import { translateValue, useI18n, type MessageKey } from '../../i18n';
import type { LoyaltyRules } from '../../loyalty';
import { can, useMe } from '../../me';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import { FieldError, FormError } from './FieldError';

const NUMBERS = [
  'earn_per_yuan',
  'points_per_yuan_redeem',
  'redeem_cap_percent',
  'expiry_months',
] as const satisfies readonly (keyof LoyaltyRules)[];
type NumberRule = (typeof NUMBERS)[number];

const num = (v: string) => (v.trim() === '' ? NaN : Number(v));

/** Earning, redemption and expiry of points (GET/PUT /v1/loyalty/rules); rules the console does not know are kept as they are. */
export function LoyaltyRulesForm() {
  const { t } = useI18n();
  const me = useMe();
  const api = useApi();
  const action = useAction();
  const { data, error, reload } = useResource<LoyaltyRules>('/v1/loyalty/rules');
  const [draft, setDraft] = useState<{
    numbers: Record<NumberRule, string>;
    channels: Record<string, string>;
    categories: [string, string][];
  } | null>(null);
  const [saved, setSaved] = useState(false);
  const editable = can(me, 'editLoyaltyRules');

  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return <Loading />;
  const rules = data;

  function start() {
    setSaved(false);
    setDraft({
      numbers: Object.fromEntries(NUMBERS.map((k) => [k, String(rules[k] ?? '')])) as Record<NumberRule, string>,
      channels: Object.fromEntries(CHANNELS.map((c) => [c, String(rules.channel_multipliers?.[c] ?? '')])),
      categories: Object.entries(rules.category_multipliers ?? {}).map(([k, v]) => [k, String(v)]),
    });
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    const body: LoyaltyRules = {
      ...rules,
      ...(Object.fromEntries(NUMBERS.map((k) => [k, num(draft.numbers[k])])) as Record<NumberRule, number>),
      channel_multipliers: Object.fromEntries(
        Object.entries(draft.channels)
          .filter(([, v]) => v.trim() !== '')
          .map(([k, v]) => [k, num(v)]),
      ),
      category_multipliers: Object.fromEntries(
        draft.categories.filter(([k]) => k.trim() !== '').map(([k, v]) => [k.trim(), num(v)]),
      ),
    };
    if (await action.run(() => api.put<LoyaltyRules>('/v1/loyalty/rules', body))) {
      setDraft(null);
      setSaved(true);
      reload();
    }
  }

  const head = (
    <Panel
      title={t('loyalty.rules.title')}
      hint={t('loyalty.rules.hint')}
      testId="rules-panel"
      actions={
        editable &&
        !draft && (
          <button type="button" className="btn btn-small" onClick={start} data-testid="rules-edit">
            {t('loyalty.edit')}
          </button>
        )
      }
    >
      {saved && (
        <div className="status status-ok" role="status" data-testid="rules-saved">
          {t('loyalty.saved')}
        </div>
      )}
      {!draft ? (
        <dl className="facts" data-testid="rules-view">
          {NUMBERS.map((k) => (
            <div key={k} className="fact-pair" data-rule={k}>
              <dt>{t(`loyalty.rules.${k}` as MessageKey)}</dt>
              <dd data-testid={`rule-${k}`}>{String(rules[k] ?? t('common.none'))}</dd>
            </div>
          ))}
          <div className="fact-pair">
            <dt>{t('loyalty.rules.channel_multipliers')}</dt>
            <dd>
              <div className="chips">
                {Object.entries(rules.channel_multipliers ?? {}).map(([c, m]) => (
                  <span key={c} className="chip">
                    {translateValue(t, 'channel', c)} ×{m}
                  </span>
                ))}
                {Object.keys(rules.channel_multipliers ?? {}).length === 0 && (
                  <span className="muted">{t('common.none')}</span>
                )}
              </div>
            </dd>
          </div>
          <div className="fact-pair">
            <dt>{t('loyalty.rules.category_multipliers')}</dt>
            <dd>
              <div className="chips">
                {Object.entries(rules.category_multipliers ?? {}).map(([c, m]) => (
                  <span key={c} className="chip">
                    {c} ×{m}
                  </span>
                ))}
                {Object.keys(rules.category_multipliers ?? {}).length === 0 && (
                  <span className="muted">{t('common.none')}</span>
                )}
              </div>
            </dd>
          </div>
        </dl>
      ) : (
        <form onSubmit={save} noValidate data-testid="rules-form">
          <div className="form-grid">
            {NUMBERS.map((k) => (
              <label key={k} className="field">
                <span>{t(`loyalty.rules.${k}` as MessageKey)}</span>
                <input
                  type="number"
                  min={0}
                  step="any"
                  value={draft.numbers[k]}
                  onChange={(e) => setDraft({ ...draft, numbers: { ...draft.numbers, [k]: e.target.value } })}
                  data-testid={`rule-input-${k}`}
                />
                <FieldError error={action.error} name={k} />
              </label>
            ))}
          </div>
          <fieldset className="fieldset">
            <legend>{t('loyalty.rules.channel_multipliers')}</legend>
            <div className="form-grid">
              {CHANNELS.map((c) => (
                <label key={c} className="field">
                  <span>{translateValue(t, 'channel', c)}</span>
                  <input
                    type="number"
                    min={0}
                    step="any"
                    placeholder="1"
                    value={draft.channels[c] ?? ''}
                    onChange={(e) => setDraft({ ...draft, channels: { ...draft.channels, [c]: e.target.value } })}
                    data-testid={`rule-channel-${c}`}
                  />
                </label>
              ))}
            </div>
            <FieldError error={action.error} name="channel_multipliers" />
          </fieldset>
          <fieldset className="fieldset">
            <legend>{t('loyalty.rules.category_multipliers')}</legend>
            {draft.categories.map(([k, v], i) => (
              <div key={i} className="inline-form">
                <input
                  value={k}
                  placeholder={t('loyalty.rules.category')}
                  aria-label={t('loyalty.rules.category')}
                  onChange={(e) =>
                    setDraft({
                      ...draft,
                      categories: draft.categories.map((x, n) => (n === i ? [e.target.value, x[1]] : x)),
                    })
                  }
                />
                <input
                  type="number"
                  min={0}
                  step="any"
                  value={v}
                  aria-label={t('loyalty.tiers.multiplier')}
                  className="qty-input"
                  onChange={(e) =>
                    setDraft({
                      ...draft,
                      categories: draft.categories.map((x, n) => (n === i ? [x[0], e.target.value] : x)),
                    })
                  }
                />
                <button
                  type="button"
                  className="btn btn-small btn-link"
                  onClick={() => setDraft({ ...draft, categories: draft.categories.filter((_, n) => n !== i) })}
                >
                  {t('loyalty.remove')}
                </button>
              </div>
            ))}
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setDraft({ ...draft, categories: [...draft.categories, ['', '1']] })}
              data-testid="rule-category-add"
            >
              {t('loyalty.rules.addCategory')}
            </button>
            <FieldError error={action.error} name="category_multipliers" />
          </fieldset>
          <FormError
            error={action.error}
            fields={[...NUMBERS, 'channel_multipliers', 'category_multipliers']}
            testId="rules-error"
          />
          <div className="form-buttons">
            <button
              type="button"
              className="btn"
              onClick={() => {
                setDraft(null);
                action.clear();
              }}
              data-testid="rules-cancel"
            >
              {t('loyalty.form.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="rules-save">
              {t('loyalty.save')}
            </button>
          </div>
        </form>
      )}
    </Panel>
  );
  return head;
}
