import { useState } from 'react';
import { formatDateTime, formatFen, formatInt } from '../../format';
import { useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { tierName, type Coupon, type PointsEntry, type PointsView, type Wallet } from '../../loyalty';
import { can, useMe } from '../../me';
import { href } from '../../router';
import { ChannelBadge } from '../Badges';
import { KpiCard } from '../KpiCard';
import { Tabs } from '../Tabs';
import { ErrorMessage, Loading } from '../Status';
import { CouponList } from './CouponList';
import { CouponStatus, CouponValue } from './CouponBits';
import { PointsAdjust } from './PointsAdjust';

/** The member's tier, with the spend over 12 months and what the next tier needs. */
export function TierBadge({ tier }: { tier: Wallet['tier'] }) {
  const { t, lang } = useI18n();
  return (
    <span className={`badge badge-tier badge-tier-${tier.code}`} data-testid="wallet-tier" data-tier={tier.code}>
      {tierName(tier, lang)}
      {tier.multiplier !== 1 && <> · ×{tier.multiplier}</>}
      <span className="sr-only"> {t('wallet.tier')}</span>
    </span>
  );
}

/** The person's points ledger, newest first: what, why, how many, and when earned points expire. */
function PointsHistory({ entries }: { entries: PointsEntry[] }) {
  const { t, lang } = useI18n();
  if (entries.length === 0)
    return (
      <p className="muted small" data-testid="points-history-empty">
        {t('wallet.noHistory')}
      </p>
    );
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="points-history">
        <thead>
          <tr>
            <th>{t('wallet.at')}</th>
            <th>{t('wallet.entryKind')}</th>
            <th>{t('wallet.source')}</th>
            <th className="num">{t('wallet.points')}</th>
            <th>{t('wallet.expires')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-testid="points-entry" data-kind={e.kind} data-points={e.points}>
              <td className="nowrap small">{formatDateTime(e.created_at, lang)}</td>
              <td>
                <span className={'badge badge-small ' + (e.points >= 0 ? 'badge-ok' : 'badge-muted')}>
                  {translateValue(t, 'wallet.kind', e.kind)}
                </span>
              </td>
              <td className="small">
                {e.order_ref ? (
                  <a className="mono" href={href('orders', e.order_ref)}>
                    {e.order_ref}
                  </a>
                ) : (
                  translateValue(t, 'wallet.source', e.source.startsWith('act:') ? 'act' : e.source)
                )}
                {e.source.startsWith('act:') && <span className="mono muted"> {e.source.slice(4)}</span>}
                {e.reason && <div className="muted">{e.reason}</div>}
              </td>
              <td className={'num ' + (e.points >= 0 ? 'points-plus' : 'points-minus')}>
                {e.points > 0 ? `+${formatInt(e.points)}` : formatInt(e.points)}
              </td>
              <td className="nowrap small">
                {e.expires_at
                  ? `${formatDateTime(e.expires_at, lang)}${e.remaining !== null && e.remaining !== e.points ? ` · ${t('wallet.left', { points: formatInt(e.remaining) })}` : ''}`
                  : t('common.none')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every coupon the person holds or held, with its state (GET /v1/coupons?customer_id=). */
function AllCoupons({ customerId }: { customerId: string }) {
  const { t, lang } = useI18n();
  const { data, error } = useResource<{ items: Coupon[] }>('/v1/coupons', { customer_id: customerId, limit: 50 });
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading />;
  if (data.items.length === 0) return <p className="muted small">{t('wallet.noCoupons')}</p>;
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="customer-coupons">
        <thead>
          <tr>
            <th>{t('loyalty.code')}</th>
            <th>{t('loyalty.name')}</th>
            <th>{t('loyalty.status')}</th>
            <th>{t('loyalty.redeemedWhere')}</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((c) => (
            <tr key={c.code} data-testid="customer-coupon" data-code={c.code} data-status={c.status}>
              <td className="mono small">{c.display}</td>
              <td>
                <div>{c.template.name}</div>
                <div className="small muted">
                  <CouponValue c={c.template} />
                </div>
              </td>
              <td>
                <CouponStatus status={c.status} />
              </td>
              <td className="small">
                {c.redemption ? (
                  <>
                    <ChannelBadge channel={c.redemption.channel} /> · {formatFen(c.redemption.amount)} ·{' '}
                    {formatDateTime(c.redemption.at, lang)}
                    <div>
                      <a className="mono" href={href('orders', c.redemption.order_ref)}>
                        {c.redemption.order_ref}
                      </a>
                    </div>
                  </>
                ) : c.valid_to ? (
                  <span className="muted">{t('loyalty.validUntil', { date: formatDateTime(c.valid_to, lang) })}</span>
                ) : (
                  t('common.none')
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * 会员钱包 on the profile: tier, points (balance, worth, expiring soon), the coupons usable now (best
 * first) and every coupon held, the points history, and an adjustment with reason for admin and support.
 */
export function WalletPanel({ customerId }: { customerId: string }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const id = encodeURIComponent(customerId);
  const wallet = useResource<Wallet>(`/v1/customers/${id}/wallet`);
  const points = useResource<PointsView>(`/v1/customers/${id}/points`);
  const [view, setView] = useState<'usable' | 'all' | 'history'>('usable');
  const [version, setVersion] = useState(0);
  const reload = () => {
    wallet.reload();
    points.reload();
    setVersion((v) => v + 1);
  };

  if (wallet.error) return <ErrorMessage error={wallet.error} onRetry={wallet.reload} />;
  if (!wallet.data) return <Loading />;
  const w = wallet.data;
  const soon = points.data?.expiring_soon;
  const next = w.tier.next;
  return (
    <div className="wallet" data-testid="wallet" data-customer={w.customer_id}>
      <div className="wallet-head">
        <TierBadge tier={w.tier} />
        <span className="muted small" data-testid="wallet-spend">
          {t('wallet.spend12m', { spend: formatFen(w.tier.spend_12m) })}
          {next && (
            <>
              {' '}
              ·{' '}
              {t('wallet.nextTier', {
                name: tierName(next, lang),
                missing: formatFen(Math.max(0, next.min_spend - w.tier.spend_12m)),
              })}
            </>
          )}
        </span>
      </div>
      <div className="kpi-grid">
        <KpiCard
          label={t('wallet.balance')}
          value={formatInt(w.points.balance)}
          note={t('wallet.worth', { value: formatFen(w.points.value) })}
          testId="wallet-balance"
          accent
        />
        <KpiCard
          label={t('wallet.expiringSoon')}
          value={soon ? formatInt(soon.points) : '…'}
          note={
            soon && soon.items[0]
              ? t('wallet.firstExpiry', { date: formatDateTime(soon.items[0].expires_at, lang) })
              : t('wallet.within30')
          }
          testId="wallet-expiring"
        />
        <KpiCard label={t('wallet.usableCoupons')} value={formatInt(w.coupons.length)} testId="wallet-coupon-count" />
      </div>
      <Tabs
        value={view}
        onChange={setView}
        testId="wallet-tabs"
        tabs={[
          { id: 'usable', label: t('wallet.tab.usable') },
          { id: 'all', label: t('wallet.tab.all') },
          { id: 'history', label: t('wallet.tab.history') },
        ]}
      />
      {view === 'usable' && <CouponList coupons={w.coupons} />}
      {view === 'all' && <AllCoupons key={version} customerId={customerId} />}
      {view === 'history' && (
        <>
          {points.error && <ErrorMessage error={points.error} onRetry={points.reload} />}
          {!points.data && !points.error && <Loading />}
          {points.data && <PointsHistory entries={points.data.history.items} />}
          {can(me, 'adjustPoints') && (
            <details className="adjust-box" data-testid="adjust-box">
              <summary>{t('wallet.adjust.title')}</summary>
              <PointsAdjust customerId={customerId} onDone={reload} />
            </details>
          )}
        </>
      )}
    </div>
  );
}
