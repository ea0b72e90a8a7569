import { formatInt } from '../../format';
import type { PagedList } from '../../hooks';
import { useI18n } from '../../i18n';
import type { CouponTemplate } from '../../loyalty';
import { Empty, ErrorMessage, LoadMore, Loading } from '../Status';
import {
  BudgetUsed,
  ChannelList,
  CouponStatus,
  CouponValue,
  KindBadge,
  RedemptionsByChannel,
  Validity,
} from './CouponBits';

/** The coupon templates with what each has issued of its budget and where it was redeemed. */
export function TemplateList({
  list,
  selected,
  onSelect,
}: {
  list: PagedList<CouponTemplate>;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const { t } = useI18n();
  if (list.error) return <ErrorMessage error={list.error} onRetry={list.reload} />;
  if (list.items.length === 0 && list.loading) return <Loading />;
  if (list.items.length === 0) return <Empty />;
  return (
    <>
      <div className="table-wrap">
        <table className="table table-hover" data-testid="templates-table">
          <thead>
            <tr>
              <th>{t('loyalty.name')}</th>
              <th>{t('loyalty.kind')}</th>
              <th>{t('loyalty.value')}</th>
              <th>{t('loyalty.channels')}</th>
              <th>{t('loyalty.validity')}</th>
              <th>{t('loyalty.budgetUsed')}</th>
              <th className="num">{t('loyalty.redeemed')}</th>
              <th>{t('loyalty.byChannel')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((tpl) => (
              <tr
                key={tpl.id}
                className={tpl.id === selected ? 'selected' : ''}
                onClick={() => onSelect(tpl.id)}
                data-testid="template-row"
                data-template={tpl.id}
                data-name={tpl.name}
              >
                <td>
                  <a
                    href={`#/loyalty/coupons/${encodeURIComponent(tpl.id)}`}
                    onClick={(e) => e.stopPropagation()}
                    data-testid="template-link"
                  >
                    <strong>{tpl.name}</strong>
                  </a>
                  <div className="mono muted small">{tpl.id}</div>
                  {tpl.status !== 'active' && <CouponStatus status={tpl.status} />}
                </td>
                <td>
                  <KindBadge kind={tpl.kind} />
                  {tpl.stackable && (
                    <span className="badge badge-muted badge-small">{t('loyalty.stackableShort')}</span>
                  )}
                </td>
                <td>
                  <CouponValue c={tpl} />
                </td>
                <td>
                  <ChannelList channels={tpl.channels} />
                </td>
                <td>
                  <Validity tpl={tpl} />
                </td>
                <td>
                  <BudgetUsed issued={tpl.issued} budget={tpl.budget} />
                </td>
                <td className="num" data-testid="template-redeemed">
                  {formatInt(tpl.redeemed)}
                </td>
                <td>
                  <RedemptionsByChannel byChannel={tpl.redemptions_by_channel} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </>
  );
}
