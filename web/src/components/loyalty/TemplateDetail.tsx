import { formatFen, formatInt, formatPercent } from '../../format';
import { useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import type { CouponTemplate } from '../../loyalty';
import { can, useMe } from '../../me';
import { KpiCard } from '../KpiCard';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import {
  BudgetUsed,
  ChannelList,
  CouponStatus,
  CouponValue,
  KindBadge,
  RedemptionsByChannel,
  Validity,
} from './CouponBits';
import { IssueCoupon } from './IssueCoupon';

/** One template: what it gives, its figures, redemptions by channel, and issuing a coupon to someone. */
export function TemplateDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const { byId } = useLocations();
  const { data: tpl, error, reload } = useResource<CouponTemplate>(`/v1/coupon-templates/${encodeURIComponent(id)}`);
  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!tpl) return <Loading />;
  const issued = tpl.issued;
  const redeemed = tpl.redeemed;
  return (
    <div className="template-detail" data-testid="template-detail" data-template={tpl.id}>
      <Panel
        title={
          <>
            <span data-testid="template-detail-name">{tpl.name}</span> <KindBadge kind={tpl.kind} />
          </>
        }
        hint={<span className="mono">{tpl.id}</span>}
        actions={
          <a className="btn btn-small" href="#/loyalty/coupons">
            {t('common.close')}
          </a>
        }
      >
        {tpl.description && <p>{tpl.description}</p>}
        <div className="kpi-grid">
          <KpiCard
            label={t('loyalty.issued')}
            value={formatInt(issued)}
            note={
              tpl.budget === null ? t('loyalty.unlimited') : t('loyalty.ofBudget', { budget: formatInt(tpl.budget) })
            }
            testId="detail-issued"
          />
          <KpiCard
            label={t('loyalty.redeemed')}
            value={formatInt(redeemed)}
            note={issued ? t('loyalty.redemptionRate', { rate: formatPercent(redeemed / issued) }) : undefined}
            testId="detail-redeemed"
            accent
          />
          <KpiCard label={t('loyalty.discountTotal')} value={formatFen(tpl.discount_total)} testId="detail-discount" />
        </div>
        <dl className="facts facts-compact">
          <dt>{t('loyalty.value')}</dt>
          <dd>
            <CouponValue c={tpl} />
          </dd>
          <dt>{t('loyalty.channels')}</dt>
          <dd>
            <ChannelList channels={tpl.channels} />
          </dd>
          <dt>{t('loyalty.validity')}</dt>
          <dd>
            <Validity tpl={tpl} />
          </dd>
          <dt>{t('loyalty.budgetUsed')}</dt>
          <dd>
            <BudgetUsed issued={issued} budget={tpl.budget} />
          </dd>
          <dt>{t('loyalty.perCustomer')}</dt>
          <dd>{tpl.per_customer_limit ?? t('loyalty.unlimited')}</dd>
          <dt>{t('loyalty.stackable')}</dt>
          <dd>{tpl.stackable ? t('common.yes') : t('common.no')}</dd>
          {tpl.min_spend > 0 && tpl.kind !== 'threshold' && (
            <>
              <dt>{t('loyalty.minSpend')}</dt>
              <dd>{formatFen(tpl.min_spend)}</dd>
            </>
          )}
          {tpl.skus && (
            <>
              <dt>{t('loyalty.form.skus')}</dt>
              <dd className="mono small">{tpl.skus.join(', ')}</dd>
            </>
          )}
          {tpl.categories && (
            <>
              <dt>{t('loyalty.form.categories')}</dt>
              <dd>{tpl.categories.join(', ')}</dd>
            </>
          )}
          {tpl.locations && (
            <>
              <dt>{t('loyalty.form.locations')}</dt>
              <dd>{tpl.locations.map((l) => locationLabel(byId, l, lang)).join('、')}</dd>
            </>
          )}
          <dt>{t('loyalty.form.restore')}</dt>
          <dd>{tpl.restore_on_cancel ? t('common.yes') : t('common.no')}</dd>
          <dt>{t('loyalty.status')}</dt>
          <dd>
            <CouponStatus status={tpl.status} />
          </dd>
        </dl>
        <h3>{t('loyalty.byChannel')}</h3>
        <div data-testid="detail-by-channel">
          <RedemptionsByChannel byChannel={tpl.redemptions_by_channel} />
        </div>
      </Panel>
      {can(me, 'issueCoupon') && (
        <Panel title={t('loyalty.issue.title')} hint={t('loyalty.issue.hint')} testId="issue-panel">
          <IssueCoupon
            templateId={tpl.id}
            onIssued={() => {
              reload();
              onChanged();
            }}
          />
        </Panel>
      )}
    </div>
  );
}
