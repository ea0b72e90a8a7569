import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api';
import { formatFen } from '../../format';
import { useAction, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { tierName, type TierRule } from '../../loyalty';
import { can, useMe } from '../../me';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import { FormError } from './FieldError';

type TiersAnswer = { tiers: TierRule[] };

interface Row {
  code: string;
  name: string;
  nameZh: string;
  nameEn: string;
  minSpend: string;
  multiplier: string;
  grants: string;
}

function toRow(r: TierRule): Row {
  return {
    code: r.code,
    name: r.name,
    nameZh: r.display_name?.['zh-CN'] ?? '',
    nameEn: r.display_name?.en ?? '',
    minSpend: String(r.min_spend / 100),
    multiplier: String(r.multiplier),
    grants: r.coupon_template_ids.join(', '),
  };
}

function fromRow(r: Row): TierRule {
  const zh = r.nameZh.trim();
  const en = r.nameEn.trim();
  return {
    code: r.code.trim(),
    name: r.name.trim(),
    ...(zh || en ? { display_name: { ...(zh ? { 'zh-CN': zh } : {}), ...(en ? { en } : {}) } } : {}),
    min_spend: r.minSpend.trim() === '' ? NaN : Math.round(Number(r.minSpend) * 100),
    multiplier: Number(r.multiplier),
    coupon_template_ids: r.grants
      .split(/[,，\s]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  };
}

/** The row an API field such as `tiers[2].min_spend` names. */
function rowOfField(field: string | undefined): number | null {
  const m = field ? /^(?:tiers)?\[(\d+)\]/.exec(field) : null;
  return m ? Number(m[1]) : null;
}

/** Member tiers on spend over a rolling 12 months: view, and edit for admins (PUT /v1/loyalty/tiers). */
export function TierRules() {
  const { t, lang } = useI18n();
  const me = useMe();
  const api = useApi();
  const action = useAction();
  const { data, error, reload } = useResource<TiersAnswer>('/v1/loyalty/tiers');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [saved, setSaved] = useState(false);
  const editable = can(me, 'editLoyaltyRules');

  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return <Loading />;
  const tiers = data.tiers;

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!rows) return;
    const ok = await action.run(() => api.put<TiersAnswer>('/v1/loyalty/tiers', { tiers: rows.map(fromRow) }));
    if (ok) {
      setRows(null);
      setSaved(true);
      reload();
    }
  }

  const badRow = action.error instanceof ApiError ? rowOfField(action.error.field) : null;

  if (!rows) {
    return (
      <Panel
        title={t('loyalty.tiers.title')}
        hint={t('loyalty.tiers.hint')}
        testId="tiers-panel"
        actions={
          editable && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                setRows(tiers.map(toRow));
                setSaved(false);
              }}
              data-testid="tiers-edit"
            >
              {t('loyalty.edit')}
            </button>
          )
        }
      >
        {saved && (
          <div className="status status-ok" role="status" data-testid="tiers-saved">
            {t('loyalty.saved')}
          </div>
        )}
        <div className="table-wrap">
          <table className="table" data-testid="tiers-table">
            <thead>
              <tr>
                <th>{t('loyalty.tiers.code')}</th>
                <th>{t('loyalty.tiers.name')}</th>
                <th className="num">{t('loyalty.tiers.minSpend')}</th>
                <th className="num">{t('loyalty.tiers.multiplier')}</th>
                <th>{t('loyalty.tiers.grants')}</th>
              </tr>
            </thead>
            <tbody>
              {tiers.map((x) => (
                <tr key={x.code} data-testid="tier-row" data-tier={x.code}>
                  <td className="mono" translate="no">
                    {x.code}
                  </td>
                  <td>
                    <span className="badge badge-tier" data-testid="tier-display-name">
                      {tierName(x, lang)}
                    </span>
                  </td>
                  <td className="num">{formatFen(x.min_spend)}</td>
                  <td className="num">×{x.multiplier}</td>
                  <td className="mono small">{x.coupon_template_ids.join(', ') || t('common.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    );
  }

  const set = (i: number, patch: Partial<Row>) => setRows(rows.map((r, n) => (n === i ? { ...r, ...patch } : r)));
  return (
    <Panel title={t('loyalty.tiers.title')} hint={t('loyalty.tiers.hint')} testId="tiers-panel">
      <form onSubmit={save} noValidate data-testid="tiers-form">
        <div className="table-wrap">
          <table className="table table-compact">
            <thead>
              <tr>
                <th>{t('loyalty.tiers.code')}</th>
                <th>{t('loyalty.tiers.name')}</th>
                <th>{t('loyalty.tiers.minSpendYuan')}</th>
                <th>{t('loyalty.tiers.multiplier')}</th>
                <th>{t('loyalty.tiers.grants')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} className={badRow === i ? 'row-error' : ''} data-testid="tier-edit-row">
                  <td>
                    <input
                      value={r.code}
                      maxLength={40}
                      className="mono"
                      onChange={(e) => set(i, { code: e.target.value })}
                      aria-label={t('loyalty.tiers.code')}
                      data-testid={`tier-code-${i}`}
                    />
                  </td>
                  <td>
                    <input
                      value={r.name}
                      maxLength={40}
                      onChange={(e) => set(i, { name: e.target.value })}
                      aria-label={t('loyalty.tiers.name')}
                      data-testid={`tier-name-${i}`}
                    />
                    <input
                      value={r.nameZh}
                      maxLength={64}
                      placeholder={t('loyalty.tiers.nameZh')}
                      onChange={(e) => set(i, { nameZh: e.target.value })}
                      aria-label={t('loyalty.tiers.nameZh')}
                      data-testid={`tier-name-zh-${i}`}
                    />
                    <input
                      value={r.nameEn}
                      maxLength={64}
                      placeholder={t('loyalty.tiers.nameEn')}
                      onChange={(e) => set(i, { nameEn: e.target.value })}
                      aria-label={t('loyalty.tiers.nameEn')}
                      data-testid={`tier-name-en-${i}`}
                    />
                  </td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      step="0.01"
                      value={r.minSpend}
                      onChange={(e) => set(i, { minSpend: e.target.value })}
                      aria-label={t('loyalty.tiers.minSpendYuan')}
                      data-testid={`tier-min-${i}`}
                    />
                  </td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      step="0.1"
                      value={r.multiplier}
                      className="qty-input"
                      onChange={(e) => set(i, { multiplier: e.target.value })}
                      aria-label={t('loyalty.tiers.multiplier')}
                      data-testid={`tier-mult-${i}`}
                    />
                  </td>
                  <td>
                    <input
                      value={r.grants}
                      className="mono"
                      placeholder="ctpl_…"
                      onChange={(e) => set(i, { grants: e.target.value })}
                      aria-label={t('loyalty.tiers.grants')}
                      data-testid={`tier-grants-${i}`}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small btn-link"
                      disabled={rows.length <= 1}
                      onClick={() => setRows(rows.filter((_, n) => n !== i))}
                      data-testid={`tier-remove-${i}`}
                    >
                      {t('loyalty.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <FormError error={action.error} fields={[]} testId="tiers-error" />
        <div className="form-buttons">
          <button
            type="button"
            className="btn"
            onClick={() =>
              setRows([
                ...rows,
                { code: '', name: '', nameZh: '', nameEn: '', minSpend: '', multiplier: '1', grants: '' },
              ])
            }
            data-testid="tier-add"
          >
            {t('loyalty.tiers.add')}
          </button>
          <span className="spacer" />
          <button
            type="button"
            className="btn"
            onClick={() => {
              setRows(null);
              action.clear();
            }}
            data-testid="tiers-cancel"
          >
            {t('loyalty.form.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="tiers-save">
            {t('loyalty.save')}
          </button>
        </div>
      </form>
    </Panel>
  );
}
