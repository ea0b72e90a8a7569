import type { ReactNode } from 'react';
import { CHANNELS, CONSENT_PURPOSES, type TraitDefinition } from '../../api';
import { localName } from '../../format';
import { useResource } from '../../hooks';
import { translateValue, useI18n, type MessageKey } from '../../i18n';
import { useLocations } from '../../locations';
import { tierName } from '../../loyalty';
import { LIFECYCLE_STAGES, RFM_SEGMENTS } from '../../marketing';
import { can, useMe } from '../../me';
import { ChoiceInput, ComparisonInput } from './Comparison';
import { bodyOf, withField, type LeafKind } from './rule-model';

const CATEGORIES = ['appliances', '3c', 'mother_baby', 'fresh', 'snacks', 'personal_care'];
const EVENT_TYPES = ['product_viewed', 'added_to_cart', 'search', 'store_visit', 'page_view', 'coupon_claimed'];

/** A labelled field of a leaf. */
function F({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="leaf-field">
      <span className="leaf-label">{label}</span>
      {children}
    </label>
  );
}

/** Days: "within the last N days"; optional ones may be cleared (all history). */
function Days({
  value,
  onChange,
  testId,
  optional,
}: {
  value: unknown;
  onChange: (v: number | undefined) => void;
  testId: string;
  optional?: boolean;
}) {
  const { t } = useI18n();
  return (
    <F label={t('rule.within')}>
      <input
        type="number"
        className="num-input"
        min={1}
        step={1}
        value={typeof value === 'number' ? value : ''}
        placeholder={optional ? t('rule.allTime') : ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Math.trunc(Number(e.target.value)))}
        data-testid={testId}
      />
      <span className="muted">{t('rule.days')}</span>
    </F>
  );
}

function Text({
  value,
  onChange,
  testId,
  placeholder,
  list,
}: {
  value: unknown;
  onChange: (v: string | undefined) => void;
  testId: string;
  placeholder?: string;
  list?: string;
}) {
  return (
    <input
      type="text"
      className="text-input"
      value={typeof value === 'string' ? value : value === undefined ? '' : String(value)}
      placeholder={placeholder}
      maxLength={200}
      list={list}
      onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      data-testid={testId}
    />
  );
}

/** A select with an "any" first option that removes the field. */
function Pick({
  value,
  onChange,
  options,
  testId,
  anyLabel,
}: {
  value: unknown;
  onChange: (v: string | undefined) => void;
  options: { id: string; label: string }[];
  testId: string;
  anyLabel?: string;
}) {
  const v = typeof value === 'string' ? value : '';
  const all = v && !options.some((o) => o.id === v) ? [...options, { id: v, label: v }] : options;
  return (
    <select value={v} onChange={(e) => onChange(e.target.value || undefined)} data-testid={testId}>
      {anyLabel !== undefined && <option value="">{anyLabel}</option>}
      {all.map((o) => (
        <option key={o.id} value={o.id}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

interface Tier {
  code: string;
  name: string;
  display_name?: { 'zh-CN'?: string; en?: string };
}

/** The fields of one leaf kind; `set(key, value)` changes one field of its body. */
export function LeafFields({
  kind,
  body,
  onChange,
  testId,
}: {
  kind: LeafKind;
  body: unknown;
  onChange: (body: unknown) => void;
  testId: string;
}) {
  const { t, lang } = useI18n();
  const me = useMe();
  const { list: locations } = useLocations();
  const b = bodyOf(body);
  const set = (key: string, v: unknown) => onChange(withField(body, key, v));
  const any = t('rule.anyOption');
  const stores = locations.filter((l) => l.type === 'store').map((l) => ({ id: l.id, label: localName(l.name, lang) }));
  const allLocations = locations.map((l) => ({ id: l.id, label: localName(l.name, lang) }));
  // Tier names come from the loyalty rules (admins and marketers may read them); others type a code.
  const tiers = useResource<{ tiers: Tier[] }>(kind === 'tier' && can(me, 'readTiers') ? '/v1/loyalty/tiers' : null);
  const traits = useResource<{ items: TraitDefinition[] }>(kind === 'trait' ? '/v1/traits' : null);
  const id = (s: string) => `${testId}-${s}`;

  switch (kind) {
    case 'ordered':
      return (
        <>
          <Days value={b.within_days} onChange={(v) => set('within_days', v)} testId={id('days')} optional />
          <F label={t('rule.ordered.count')}>
            <ComparisonInput
              value={b.count}
              onChange={(v) => set('count', v)}
              integer
              optional
              unit={t('rule.unit.orders')}
              testId={id('count')}
              label={t('rule.ordered.count')}
            />
          </F>
          <F label={t('rule.ordered.spend')}>
            <ComparisonInput
              value={b.spend}
              onChange={(v) => set('spend', v)}
              scale={100}
              integer
              optional
              unit={t('rule.unit.yuan')}
              testId={id('spend')}
              label={t('rule.ordered.spend')}
            />
          </F>
          <F label={t('rule.ordered.couponShare')}>
            <ComparisonInput
              value={b.coupon_share}
              onChange={(v) => set('coupon_share', v)}
              scale={0.01}
              optional
              unit="%"
              testId={id('coupon_share')}
              label={t('rule.ordered.couponShare')}
            />
          </F>
          <F label={t('rule.ordered.channel')}>
            <Pick
              value={b.channel}
              onChange={(v) => set('channel', v)}
              options={CHANNELS.map((c) => ({ id: c, label: translateValue(t, 'channel', c) }))}
              anyLabel={any}
              testId={id('channel')}
            />
          </F>
          <F label={t('rule.ordered.location')}>
            <Pick
              value={b.location_id}
              onChange={(v) => set('location_id', v)}
              options={allLocations}
              anyLabel={any}
              testId={id('location')}
            />
          </F>
          <F label={t('rule.ordered.category')}>
            <Pick
              value={b.category}
              onChange={(v) => set('category', v)}
              options={CATEGORIES.map((c) => ({ id: c, label: translateValue(t, 'category', c) }))}
              anyLabel={any}
              testId={id('category')}
            />
          </F>
          <F label={t('rule.ordered.sku')}>
            <Text value={b.sku} onChange={(v) => set('sku', v)} placeholder="SKU00214" testId={id('sku')} />
          </F>
        </>
      );
    case 'event': {
      const props = Object.entries(bodyOf(b.properties));
      const setProps = (next: [string, unknown][]) =>
        set('properties', next.length ? Object.fromEntries(next) : undefined);
      return (
        <>
          <F label={t('rule.event.type')}>
            <Pick
              value={b.type}
              onChange={(v) => set('type', v ?? 'product_viewed')}
              options={EVENT_TYPES.map((e) => ({ id: e, label: translateValue(t, 'eventType', e) }))}
              testId={id('type')}
            />
          </F>
          <Days value={b.within_days} onChange={(v) => set('within_days', v)} testId={id('days')} optional />
          <F label={t('rule.event.count')}>
            <ComparisonInput
              value={b.count}
              onChange={(v) => set('count', v)}
              integer
              optional
              unit={t('rule.unit.times')}
              testId={id('count')}
              label={t('rule.event.count')}
            />
          </F>
          {props.map(([k, v], i) => (
            <F key={i} label={t('rule.event.property')}>
              <Text
                value={k}
                onChange={(nk) => setProps(props.map((p, j) => (j === i ? [nk ?? '', p[1]] : p)))}
                placeholder="sku"
                testId={id(`prop-key-${i}`)}
              />
              =
              <Text
                value={v}
                onChange={(nv) => setProps(props.map((p, j) => (j === i ? [p[0], nv ?? ''] : p)))}
                placeholder="SKU00214"
                testId={id(`prop-value-${i}`)}
              />
              <button
                type="button"
                className="btn btn-link btn-small"
                onClick={() => setProps(props.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </F>
          ))}
          <button
            type="button"
            className="btn btn-link btn-small"
            onClick={() => setProps([...props, [props.length ? '' : 'sku', '']])}
            data-testid={id('prop-add')}
          >
            {t('rule.event.addProperty')}
          </button>
        </>
      );
    }
    case 'visited_store':
      return (
        <>
          <F label={t('rule.store')}>
            <Pick
              value={b.location_id}
              onChange={(v) => set('location_id', v)}
              options={stores}
              anyLabel={t('rule.anyStore')}
              testId={id('location')}
            />
          </F>
          <Days value={b.within_days} onChange={(v) => set('within_days', v)} testId={id('days')} optional />
        </>
      );
    case 'near_store':
      return (
        <>
          <F label={t('rule.store')}>
            <Pick
              value={b.location_id}
              onChange={(v) => set('location_id', v)}
              options={stores}
              anyLabel={t('rule.anyStore')}
              testId={id('location')}
            />
          </F>
          <F label={t('rule.near.km')}>
            <input
              type="number"
              className="num-input"
              min={0.1}
              step="any"
              value={typeof b.km === 'number' ? b.km : ''}
              onChange={(e) => set('km', e.target.value === '' ? undefined : Number(e.target.value))}
              data-testid={id('km')}
            />
            <span className="muted">{t('rule.unit.km')}</span>
          </F>
        </>
      );
    case 'rfm':
      return (
        <>
          <F label={t('rule.rfm.segment')}>
            <ChoiceInput
              value={b.segment}
              onChange={(v) => set('segment', v)}
              choices={RFM_SEGMENTS.filter((s) => s !== 'others').map((s) => ({
                id: s,
                label: translateValue(t, 'rfmSegment', s),
              }))}
              testId={id('segment')}
              label={t('rule.rfm.segment')}
            />
          </F>
          {(['r', 'f', 'm'] as const).map((k) => (
            <F key={k} label={t(`rule.rfm.${k}` as MessageKey)}>
              <ComparisonInput
                value={b[k]}
                onChange={(v) => set(k, v)}
                integer
                optional
                unit={t('rule.unit.score')}
                testId={id(k)}
                label={t(`rule.rfm.${k}` as MessageKey)}
              />
            </F>
          ))}
        </>
      );
    case 'lifecycle':
      return (
        <F label={t('rule.lifecycle.in')}>
          <ChoiceInput
            value={body}
            onChange={onChange}
            choices={LIFECYCLE_STAGES.map((s) => ({ id: s, label: translateValue(t, 'lifecycle', s) }))}
            testId={id('stages')}
            label={t('rule.lifecycle.in')}
          />
        </F>
      );
    case 'clv':
      return (
        <>
          <F label={t('rule.clv.p_alive')}>
            <ComparisonInput
              value={b.p_alive}
              onChange={(v) => set('p_alive', v)}
              scale={0.01}
              optional
              unit="%"
              testId={id('p_alive')}
              label={t('rule.clv.p_alive')}
            />
          </F>
          <F label={t('rule.clv.expected_orders')}>
            <ComparisonInput
              value={b.expected_orders}
              onChange={(v) => set('expected_orders', v)}
              optional
              unit={t('rule.unit.orders')}
              testId={id('expected_orders')}
              label={t('rule.clv.expected_orders')}
            />
          </F>
          <F label={t('rule.clv.expected_value')}>
            <ComparisonInput
              value={b.expected_value}
              onChange={(v) => set('expected_value', v)}
              scale={100}
              integer
              optional
              unit={t('rule.unit.yuan')}
              testId={id('expected_value')}
              label={t('rule.clv.expected_value')}
            />
          </F>
          <span className="muted small">{t('rule.clv.hint')}</span>
        </>
      );
    case 'tier':
      return (
        <F label={t('rule.tier.in')}>
          {tiers.data ? (
            <ChoiceInput
              value={body}
              onChange={onChange}
              choices={tiers.data.tiers.map((x) => ({ id: x.code, label: tierName(x, lang) }))}
              testId={id('tiers')}
              label={t('rule.tier.in')}
            />
          ) : (
            <Text
              value={Array.isArray(b.in) ? (b.in as unknown[]).join(',') : ''}
              onChange={(v) =>
                onChange({
                  in: (v ?? '')
                    .split(',')
                    .map((x) => x.trim())
                    .filter(Boolean),
                })
              }
              placeholder="gold,silver"
              testId={id('tiers-text')}
            />
          )}
        </F>
      );
    case 'points':
      return (
        <F label={t('rule.points.balance')}>
          <ComparisonInput
            value={body}
            onChange={(v) => onChange(v ?? { gte: 0 })}
            integer
            unit={t('rule.unit.points')}
            testId={id('points')}
            label={t('rule.points.balance')}
          />
        </F>
      );
    case 'tag':
      return (
        <F label={t('rule.tag.name')}>
          <Text value={body} onChange={(v) => onChange(v ?? '')} placeholder="vip" testId={id('tag')} />
        </F>
      );
    case 'trait': {
      const ops = ['eq', 'neq', 'contains', 'exists'] as const;
      const op = ops.find((o) => b[o] !== undefined) ?? (b.in !== undefined ? 'in' : 'eq');
      const plain = (traits.data?.items ?? []).filter((x) => x.classification === 'plain');
      const listId = `${testId}-traits`;
      return (
        <>
          <F label={t('rule.trait.name')}>
            <Text
              value={b.name}
              onChange={(v) => set('name', v)}
              placeholder="city"
              list={listId}
              testId={id('name')}
            />
            <datalist id={listId}>
              {plain.map((x) => (
                <option key={x.key} value={x.key}>
                  {translateValue(t, 'trait', x.key)}
                </option>
              ))}
            </datalist>
          </F>
          <select
            value={op}
            onChange={(e) => {
              const next = e.target.value;
              const rest: Record<string, unknown> = { name: b.name };
              const old = b[op];
              rest[next] = next === 'exists' ? true : next === 'in' ? [String(old ?? '')] : op === 'exists' ? '' : old;
              onChange(rest);
            }}
            data-testid={id('op')}
          >
            {[...ops, 'in'].map((o) => (
              <option key={o} value={o}>
                {t(`rule.trait.${o}` as MessageKey)}
              </option>
            ))}
          </select>
          {op === 'exists' ? (
            <Pick
              value={b.exists === false ? 'no' : 'yes'}
              onChange={(v) => set('exists', v !== 'no')}
              options={[
                { id: 'yes', label: t('rule.yes') },
                { id: 'no', label: t('rule.no') },
              ]}
              testId={id('exists')}
            />
          ) : op === 'in' ? (
            <Text
              value={Array.isArray(b.in) ? (b.in as unknown[]).join(',') : ''}
              onChange={(v) =>
                set(
                  'in',
                  (v ?? '')
                    .split(',')
                    .map((x) => x.trim())
                    .filter(Boolean),
                )
              }
              placeholder={t('rule.trait.inPlaceholder')}
              testId={id('value')}
            />
          ) : (
            <Text value={b[op]} onChange={(v) => set(op, v ?? '')} testId={id('value')} />
          )}
        </>
      );
    }
    case 'consent':
      return (
        <>
          <F label={t('rule.consent.purpose')}>
            <Pick
              value={b.purpose}
              onChange={(v) => set('purpose', v ?? 'marketing_sms')}
              options={CONSENT_PURPOSES.map((p) => ({ id: p, label: translateValue(t, 'purpose', p) }))}
              testId={id('purpose')}
            />
          </F>
          <Pick
            value={b.granted === false ? 'no' : 'yes'}
            onChange={(v) => set('granted', v !== 'no')}
            options={[
              { id: 'yes', label: t('rule.consent.granted') },
              { id: 'no', label: t('rule.consent.notGranted') },
            ]}
            testId={id('granted')}
          />
        </>
      );
    case 'created':
      return <Days value={b.within_days} onChange={(v) => set('within_days', v)} testId={id('days')} />;
  }
}
