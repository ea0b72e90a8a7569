import { useMemo, useState } from 'react';
import { Dialog } from '../components/Dialog';
import { PageHeader, Panel } from '../components/PageHeader';
import { ActionError, Empty, ErrorMessage, Loading } from '../components/Status';
import { allOf, type Answer } from '../contract';
import { formatDateTime, formatFen, formatInt } from '../format';
import { useAction, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { CsvButton } from '../components/CsvButton';
import { can, useMe } from '../me';
import { href } from '../router';
import { useApi } from '../session';

/** GET /v1/settlements: a month's statement, per store. */
export type Statement = Answer<'/v1/settlements'>;
/** GET /v1/settlements/:period/:location_id: a store's entries. */
export type StatementItems = Answer<'/v1/settlements/{period}/{location_id}'>;
export type RevenueShare = Answer<'/v1/settings/revenue-share'>;
export const SHARE_BASES = allOf<RevenueShare['basis']>()(['margin', 'net_sales']);

/** The calendar month now in a time zone, YYYY-MM. */
export function monthIn(timezone: string, at = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(at);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}

function CloseDialog({
  statement,
  onClose,
  onClosed,
}: {
  statement: Statement;
  onClose: () => void;
  onClosed: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  // One key per dialog: a double click or a lost answer closes the month once.
  const [idempotencyKey] = useState(() => `close-${statement.period}-${crypto.randomUUID()}`);
  const early = statement.period >= monthIn(statement.timezone);
  async function confirm() {
    const done = await action.run(() =>
      api.post(`/v1/settlements/${statement.period}/close`, early ? { early: true } : {}, { idempotencyKey }),
    );
    if (done) onClosed();
  }
  return (
    <Dialog title={t('settle.closeTitle', { period: statement.period })} onClose={onClose} testId="settle-close-dialog">
      <p>{t('settle.closeConfirm')}</p>
      {early && (
        <p className="status status-warn" data-testid="settle-close-early">
          {t('settle.closeEarly')}
        </p>
      )}
      <ActionError error={action.error} testId="settle-close-error" />
      <div className="dialog-buttons">
        <button type="button" className="btn" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={action.busy}
          onClick={() => void confirm()}
          data-testid="settle-close-confirm"
        >
          {t('settle.close')}
        </button>
      </div>
    </Dialog>
  );
}

function StoreItems({ period, locationId, storeName }: { period: string; locationId: string; storeName: string }) {
  const { t, lang } = useI18n();
  const path = `/v1/settlements/${period}/${encodeURIComponent(locationId)}`;
  const { data, error, loading, reload } = useResource<StatementItems>(path);
  return (
    <Panel
      title={t('settle.detail', { store: storeName, period })}
      hint={t('settle.detailHint')}
      testId="settle-items"
      actions={
        <CsvButton
          path={path}
          filename={`settlement-${period}-${locationId}.csv`}
          testId="settle-csv"
          label={t('settle.downloadCsv')}
        />
      }
    >
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && data.items.length === 0 && <Empty />}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="settle-items-table">
            <thead>
              <tr>
                <th>{t('settle.order')}</th>
                <th>{t('settle.kind')}</th>
                <th>{t('settle.basisLabel')}</th>
                <th className="num">{t('settle.basis')}</th>
                <th className="num">{t('settle.rate')}</th>
                <th className="num">{t('settle.amount')}</th>
                <th>{t('settle.at')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((i) => (
                <tr key={`${i.kind}-${i.return_id ?? i.order_id}`} data-testid={`settle-item-${i.order_id}`}>
                  <td className="mono small">
                    <a href={href('orders', i.order_id)}>{i.order_id}</a>
                  </td>
                  <td>
                    <span className={'badge ' + (i.kind === 'credit' ? 'badge-ok' : 'badge-muted')}>
                      {translateValue(t, 'settle.kind', i.kind)}
                    </span>
                    {i.cost_missing && (
                      <span className="badge badge-warn" title={t('settle.flaggedHint')}>
                        {t('settle.costMissing')}
                      </span>
                    )}
                  </td>
                  <td>{translateValue(t, 'settle.basisKind', i.basis_kind)}</td>
                  <td className="num">{formatFen(i.basis)}</td>
                  <td className="num">{i.percent}%</td>
                  <td className="num">{formatFen(i.amount)}</td>
                  <td className="nowrap small">{formatDateTime(i.at, lang)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th colSpan={5}>{t('settle.net')}</th>
                <th className="num" data-testid="settle-items-net">
                  {formatFen(data.net)}
                </th>
                <th />
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </Panel>
  );
}

/** 门店结算: the stores' revenue share of the online orders they fulfilled, month by month. */
export function Settlements() {
  const { t, lang } = useI18n();
  const me = useMe();
  const { byId } = useLocations();
  const [period, setPeriod] = useState<string | null>(null);
  const [store, setStore] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const query = useMemo(() => (period ? { period } : undefined), [period]);
  const { data, error, loading, reload } = useResource<Statement>('/v1/settlements', query);
  const shown = period ?? data?.period ?? '';
  const selected = store && data?.stores.some((s) => s.location_id === store) ? store : null;

  return (
    <>
      <PageHeader
        title={t('settle.title')}
        subtitle={t('settle.subtitle')}
        actions={
          data && data.status === 'open' && can(me, 'manageSettlements') ? (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => setClosing(true)}
              data-testid="settle-close"
            >
              {t('settle.close')}
            </button>
          ) : undefined
        }
      />
      <Panel>
        <div className="form-row">
          <label className="field">
            <span>{t('settle.period')}</span>
            <input
              type="month"
              value={shown}
              onChange={(e) => {
                if (/^\d{4}-\d{2}$/.test(e.target.value)) {
                  setPeriod(e.target.value);
                  setStore(null);
                  setNotice(null);
                }
              }}
              data-testid="settle-period"
            />
          </label>
          {data && (
            <div className="field">
              <span>{t('settle.status')}</span>
              <span data-testid="settle-status">
                <span className={'badge ' + (data.status === 'closed' ? 'badge-muted' : 'badge-ok')}>
                  {translateValue(t, 'settle.status', data.status)}
                </span>{' '}
                {data.status === 'closed' && (
                  <small className="muted">
                    {t('settle.closedBy', { by: data.closed_by ?? '', at: formatDateTime(data.closed_at, lang) })}
                    {data.early ? t('settle.closedEarly') : ''}
                  </small>
                )}
              </span>
            </div>
          )}
        </div>
        {notice && (
          <div className="status status-ok" role="status" data-testid="settle-notice">
            {notice}
          </div>
        )}
      </Panel>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && (
        <Panel title={t('settle.stores')} hint={t('settle.storesHint')} testId="settle-stores">
          {data.stores.length === 0 ? (
            <p className="muted" data-testid="settle-empty">
              {t('settle.none')}
            </p>
          ) : (
            <div className="table-wrap">
              <table className="table table-hover" data-testid="settle-stores-table">
                <thead>
                  <tr>
                    <th>{t('settle.store')}</th>
                    <th className="num">{t('settle.orders')}</th>
                    <th className="num">{t('settle.credits')}</th>
                    <th className="num">{t('settle.reversals')}</th>
                    <th className="num">{t('settle.net')}</th>
                    <th className="num" title={t('settle.flaggedHint')}>
                      {t('settle.flagged')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.stores.map((s) => (
                    <tr
                      key={s.location_id}
                      className={selected === s.location_id ? 'selected' : ''}
                      onClick={() => setStore(s.location_id)}
                      data-testid={`settle-store-${s.location_id}`}
                    >
                      <td>
                        <div>{locationLabel(byId, s.location_id, lang)}</div>
                        <div className="mono muted small">{s.location_id}</div>
                      </td>
                      <td className="num">{formatInt(s.orders)}</td>
                      <td className="num">{formatFen(s.credits)}</td>
                      <td className="num">{formatFen(s.reversals)}</td>
                      <td className="num" data-testid={`settle-net-${s.location_id}`}>
                        {formatFen(s.net)}
                      </td>
                      <td className="num">{s.flagged > 0 ? formatInt(s.flagged) : ''}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th>{t('settle.total')}</th>
                    <th className="num">{formatInt(data.totals.orders)}</th>
                    <th className="num">{formatFen(data.totals.credits)}</th>
                    <th className="num">{formatFen(data.totals.reversals)}</th>
                    <th className="num" data-testid="settle-net-total">
                      {formatFen(data.totals.net)}
                    </th>
                    <th className="num">{data.totals.flagged > 0 ? formatInt(data.totals.flagged) : ''}</th>
                  </tr>
                </tfoot>
              </table>
            </div>
          )}
        </Panel>
      )}
      {data && selected && (
        <StoreItems
          key={`${data.period}-${selected}`}
          period={data.period}
          locationId={selected}
          storeName={locationLabel(byId, selected, lang)}
        />
      )}
      {closing && data && (
        <CloseDialog
          statement={data}
          onClose={() => setClosing(false)}
          onClosed={() => {
            setClosing(false);
            setNotice(t('settle.closed', { period: data.period }));
            reload();
          }}
        />
      )}
    </>
  );
}
