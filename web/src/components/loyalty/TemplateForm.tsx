import { useState, type FormEvent, type ReactNode } from 'react';
import { CHANNELS } from '../../api';
import type { RequestBody } from '../../contract';
import { useAction } from '../../hooks';
import { translateValue, useI18n, type MessageKey } from '../../i18n';
import { localName } from '../../format';
import { useLocations } from '../../locations';
import { CHANNEL_GROUPS, COUPON_KINDS, newIdempotencyKey, type CouponKind, type CouponTemplate } from '../../loyalty';
import { useApi } from '../../session';
import { FieldError, FormError } from './FieldError';

/** Every body property the form sends: an API error naming one is shown under its input. */
const FIELDS = [
  'name',
  'description',
  'kind',
  'value',
  'cap',
  'min_spend',
  'gift_sku',
  'channels',
  'skus',
  'categories',
  'locations',
  'valid_from',
  'valid_to',
  'valid_days_after_claim',
  'budget',
  'per_customer_limit',
  'stackable',
  'restore_on_cancel',
  'body',
] as const satisfies readonly (keyof TemplateBody | 'body')[];
type Field = (typeof FIELDS)[number];
type TemplateBody = RequestBody<'/v1/coupon-templates', 'post'>;

const CHANNEL_CHOICES = [...Object.keys(CHANNEL_GROUPS), ...CHANNELS];

/** Yuan typed in the form → fen; '' → undefined (left out, so the API says what is missing). */
function fen(yuan: string): number | undefined {
  if (yuan.trim() === '') return undefined;
  const n = Number(yuan);
  return Number.isFinite(n) ? Math.round(n * 100) : NaN;
}

function int(v: string): number | undefined {
  if (v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : NaN;
}

function list(v: string): string[] | undefined {
  const items = v
    .split(/[,，\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

/** A datetime-local value (the viewer's time) → ISO. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

function Field({
  name,
  label,
  error,
  hint,
  wide,
  children,
}: {
  name: Field;
  label: string;
  error: Error | null;
  hint?: string;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <label className={'field' + (wide ? ' field-wide' : '')}>
      <span>
        {label} {hint && <small className="muted">{hint}</small>}
      </span>
      {children}
      <FieldError error={error} name={name} />
    </label>
  );
}

/** A new coupon template (admins, marketers): what it gives, where and when, and how many. */
export function TemplateForm({
  onCreated,
  onCancel,
}: {
  onCreated: (t: CouponTemplate) => void;
  onCancel?: () => void;
}) {
  const { t, lang } = useI18n();
  const api = useApi();
  const action = useAction();
  const { list: locations } = useLocations();
  const stores = locations.filter((l) => l.type !== 'dc');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<CouponKind>('amount_off');
  const [value, setValue] = useState('');
  const [cap, setCap] = useState('');
  const [minSpend, setMinSpend] = useState('');
  const [giftSku, setGiftSku] = useState('');
  const [channels, setChannels] = useState<string[]>(['online', 'store']);
  const [skus, setSkus] = useState('');
  const [categories, setCategories] = useState('');
  const [locs, setLocs] = useState<string[]>([]);
  const [validity, setValidity] = useState<'window' | 'days'>('days');
  const [validFrom, setValidFrom] = useState('');
  const [validTo, setValidTo] = useState('');
  const [days, setDays] = useState('30');
  const [budget, setBudget] = useState('');
  const [perCustomer, setPerCustomer] = useState('1');
  const [stackable, setStackable] = useState(false);
  const [restore, setRestore] = useState(true);
  // One key per filled-in form: a double submit creates one template.
  const [idem, setIdem] = useState(() => newIdempotencyKey('tpl'));

  const money = kind === 'amount_off' || kind === 'threshold';
  const percent = kind === 'percent_off';

  function body(): Record<string, unknown> {
    const b: Record<string, unknown> = { name: name.trim(), kind, channels, stackable, restore_on_cancel: restore };
    const put = (k: string, v: unknown) => {
      if (v !== undefined) b[k] = v;
    };
    put('description', description.trim() || undefined);
    if (money) put('value', fen(value));
    else if (percent) put('value', int(value));
    else b.value = 0;
    if (percent) put('cap', fen(cap));
    put('min_spend', fen(minSpend));
    if (kind === 'gift') put('gift_sku', giftSku.trim() || undefined);
    put('skus', list(skus));
    put('categories', list(categories));
    if (locs.length) b.locations = locs;
    if (validity === 'window') {
      put('valid_from', isoOf(validFrom));
      put('valid_to', isoOf(validTo));
    } else put('valid_days_after_claim', int(days));
    put('budget', int(budget));
    put('per_customer_limit', int(perCustomer));
    return b;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const created = await action.run(() =>
      api.post<CouponTemplate>('/v1/coupon-templates', body(), { idempotencyKey: idem }),
    );
    if (created) {
      setIdem(newIdempotencyKey('tpl'));
      onCreated(created);
    }
  }

  const toggle = (c: string) => setChannels((cs) => (cs.includes(c) ? cs.filter((x) => x !== c) : [...cs, c]));
  const err = action.error;
  // A changed form is another request: a new key, so the API does not answer with the old failure.
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setIdem(newIdempotencyKey('tpl'));
    };

  return (
    <form className="template-form" onSubmit={submit} noValidate data-testid="template-form">
      <div className="form-grid">
        <Field name="name" label={t('loyalty.form.name')} error={err} wide>
          <input
            value={name}
            maxLength={100}
            onChange={(e) => edit(setName)(e.target.value)}
            placeholder={t('loyalty.form.namePlaceholder')}
            data-testid="template-name"
          />
        </Field>
        <Field name="description" label={t('loyalty.form.description')} hint={t('settings.optional')} error={err} wide>
          <input
            value={description}
            maxLength={500}
            onChange={(e) => edit(setDescription)(e.target.value)}
            data-testid="template-description"
          />
        </Field>
        <Field name="kind" label={t('loyalty.kind')} error={err}>
          <select
            value={kind}
            onChange={(e) => edit(setKind)(e.target.value as CouponKind)}
            data-testid="template-kind"
          >
            {COUPON_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`loyalty.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        {(money || percent) && (
          <Field name="value" label={money ? t('loyalty.form.valueYuan') : t('loyalty.form.valuePercent')} error={err}>
            <input
              type="number"
              min={0}
              step={money ? '0.01' : '1'}
              max={percent ? 100 : undefined}
              value={value}
              onChange={(e) => edit(setValue)(e.target.value)}
              data-testid="template-value"
            />
          </Field>
        )}
        {percent && (
          <Field name="cap" label={t('loyalty.form.capYuan')} hint={t('settings.optional')} error={err}>
            <input
              type="number"
              min={0}
              step="0.01"
              value={cap}
              onChange={(e) => edit(setCap)(e.target.value)}
              data-testid="template-cap"
            />
          </Field>
        )}
        <Field
          name="min_spend"
          label={kind === 'threshold' ? t('loyalty.form.thresholdYuan') : t('loyalty.form.minSpendYuan')}
          hint={kind === 'threshold' ? undefined : t('settings.optional')}
          error={err}
        >
          <input
            type="number"
            min={0}
            step="0.01"
            value={minSpend}
            onChange={(e) => edit(setMinSpend)(e.target.value)}
            data-testid="template-min-spend"
          />
        </Field>
        {kind === 'gift' && (
          <Field name="gift_sku" label={t('loyalty.form.giftSku')} error={err}>
            <input
              value={giftSku}
              maxLength={64}
              onChange={(e) => edit(setGiftSku)(e.target.value)}
              className="mono"
              data-testid="template-gift-sku"
            />
          </Field>
        )}
      </div>

      <fieldset className="fieldset" data-testid="template-channels">
        <legend>{t('loyalty.channels')}</legend>
        <div className="check-row">
          {CHANNEL_CHOICES.map((c) => (
            <label key={c} className={'check' + (c in CHANNEL_GROUPS ? ' check-group' : '')}>
              <input
                type="checkbox"
                checked={channels.includes(c)}
                onChange={() => edit(toggle)(c)}
                data-testid={`template-channel-${c}`}
              />
              {c in CHANNEL_GROUPS ? t(`loyalty.group.${c}` as MessageKey) : translateValue(t, 'channel', c)}
            </label>
          ))}
        </div>
        <FieldError error={err} name="channels" />
      </fieldset>

      <fieldset className="fieldset">
        <legend>{t('loyalty.form.scope')}</legend>
        <div className="form-grid">
          <Field name="skus" label={t('loyalty.form.skus')} hint={t('loyalty.form.listHint')} error={err}>
            <input
              value={skus}
              onChange={(e) => edit(setSkus)(e.target.value)}
              className="mono"
              data-testid="template-skus"
            />
          </Field>
          <Field name="categories" label={t('loyalty.form.categories')} hint={t('loyalty.form.listHint')} error={err}>
            <input
              value={categories}
              onChange={(e) => edit(setCategories)(e.target.value)}
              data-testid="template-categories"
            />
          </Field>
          <Field
            name="locations"
            label={t('loyalty.form.locations')}
            hint={t('loyalty.form.locationsHint')}
            error={err}
          >
            <select
              multiple
              value={locs}
              onChange={(e) => edit(setLocs)(Array.from(e.target.selectedOptions, (o) => o.value))}
              className="select-multi"
              data-testid="template-locations"
            >
              {stores.map((l) => (
                <option key={l.id} value={l.id}>
                  {localName(l.name, lang)}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </fieldset>

      <fieldset className="fieldset">
        <legend>{t('loyalty.validity')}</legend>
        <div className="segmented" role="radiogroup">
          {(['days', 'window'] as const).map((v) => (
            <button
              key={v}
              type="button"
              role="radio"
              aria-checked={validity === v}
              className={validity === v ? 'active' : ''}
              onClick={() => edit(setValidity)(v)}
              data-testid={`template-validity-${v}`}
            >
              {t(v === 'days' ? 'loyalty.form.validityDays' : 'loyalty.form.validityWindow')}
            </button>
          ))}
        </div>
        <div className="form-grid">
          {validity === 'days' ? (
            <Field name="valid_days_after_claim" label={t('loyalty.form.days')} error={err}>
              <input
                type="number"
                min={1}
                step={1}
                value={days}
                onChange={(e) => edit(setDays)(e.target.value)}
                data-testid="template-days"
              />
            </Field>
          ) : (
            <>
              <Field name="valid_from" label={t('loyalty.form.validFrom')} hint={t('settings.optional')} error={err}>
                <input
                  type="datetime-local"
                  value={validFrom}
                  onChange={(e) => edit(setValidFrom)(e.target.value)}
                  data-testid="template-valid-from"
                />
              </Field>
              <Field name="valid_to" label={t('loyalty.form.validTo')} error={err}>
                <input
                  type="datetime-local"
                  value={validTo}
                  onChange={(e) => edit(setValidTo)(e.target.value)}
                  data-testid="template-valid-to"
                />
              </Field>
            </>
          )}
        </div>
      </fieldset>

      <fieldset className="fieldset">
        <legend>{t('loyalty.form.limits')}</legend>
        <div className="form-grid">
          <Field name="budget" label={t('loyalty.budget')} hint={t('loyalty.form.budgetHint')} error={err}>
            <input
              type="number"
              min={0}
              step={1}
              value={budget}
              onChange={(e) => edit(setBudget)(e.target.value)}
              data-testid="template-budget"
            />
          </Field>
          <Field name="per_customer_limit" label={t('loyalty.perCustomer')} hint={t('settings.optional')} error={err}>
            <input
              type="number"
              min={1}
              step={1}
              value={perCustomer}
              onChange={(e) => edit(setPerCustomer)(e.target.value)}
              data-testid="template-per-customer"
            />
          </Field>
        </div>
        <div className="check-row">
          <label className="check">
            <input
              type="checkbox"
              checked={stackable}
              onChange={(e) => edit(setStackable)(e.target.checked)}
              data-testid="template-stackable"
            />
            {t('loyalty.stackable')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={restore}
              onChange={(e) => edit(setRestore)(e.target.checked)}
              data-testid="template-restore"
            />
            {t('loyalty.form.restore')}
          </label>
        </div>
        <FieldError error={err} name="stackable" />
        <FieldError error={err} name="restore_on_cancel" />
      </fieldset>

      <FieldError error={err} name="body" />
      <FormError error={err} fields={FIELDS} testId="template-error" />
      <div className="form-buttons">
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel} data-testid="template-cancel">
            {t('loyalty.form.cancel')}
          </button>
        )}
        <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="template-submit">
          {action.busy ? t('common.loading') : t('loyalty.form.submit')}
        </button>
      </div>
    </form>
  );
}
