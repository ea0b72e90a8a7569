import { formatDateTime, formatFen, formatInt } from '../../format';
import { usePagedList, useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { RFM_SEGMENTS, type RfmScore, type SavedSegment, type SegmentMember } from '../../marketing';
import { can, useMe } from '../../me';
import { href, navigate } from '../../router';
import { Empty, ErrorMessage, LoadMore, Loading } from '../Status';

/** A saved segment (by id) or an RFM segment of the latest run. */
export type SegmentFilter = { kind: 'saved'; id: string } | { kind: 'rfm'; segment: string };

const encode = (f: SegmentFilter | null) =>
  f === null ? '' : f.kind === 'saved' ? `saved:${f.id}` : `rfm:${f.segment}`;
function decode(v: string): SegmentFilter | null {
  if (v.startsWith('saved:')) return { kind: 'saved', id: v.slice(6) };
  if (v.startsWith('rfm:')) return { kind: 'rfm', segment: v.slice(4) };
  return null;
}

/** The select of segments a customer list can be narrowed to (for roles that read segments and RFM). */
export function SegmentFilterSelect({
  value,
  onChange,
}: {
  value: SegmentFilter | null;
  onChange: (f: SegmentFilter | null) => void;
}) {
  const { t } = useI18n();
  const me = useMe();
  const allowed = can(me, 'readSegments');
  const saved = useResource<{ items: SavedSegment[] }>(allowed ? '/v1/segments' : null);
  if (!allowed) return null;
  return (
    <label className="field-inline segment-filter">
      <span>{t('customers.segmentFilter')}</span>
      <select
        value={encode(value)}
        onChange={(e) => onChange(decode(e.target.value))}
        data-testid="customer-segment-filter"
      >
        <option value="">{t('customers.allCustomers')}</option>
        {(saved.data?.items.length ?? 0) > 0 && (
          <optgroup label={t('customers.savedSegments')}>
            {saved.data!.items.map((s) => (
              <option key={s.id} value={`saved:${s.id}`}>
                {s.name}（{formatInt(s.size)}）
              </option>
            ))}
          </optgroup>
        )}
        <optgroup label={t('customers.rfmSegments')}>
          {RFM_SEGMENTS.filter((s) => s !== 'others').map((s) => (
            <option key={s} value={`rfm:${s}`}>
              {translateValue(t, 'rfmSegment', s)}
            </option>
          ))}
        </optgroup>
      </select>
    </label>
  );
}

/** The customers of a segment: ids with what the members endpoint gives (RFM: orders, spend, last order). */
export function SegmentCustomerTable({ filter }: { filter: SegmentFilter }) {
  const { t, lang } = useI18n();
  const saved = filter.kind === 'saved';
  const list = usePagedList<SegmentMember | RfmScore>(
    saved ? `/v1/segments/${encodeURIComponent(filter.id)}/members` : '/v1/rfm/customers',
    saved ? {} : { segment: filter.segment },
  );
  return (
    <>
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {list.items.length === 0 && list.loading && <Loading />}
      {list.items.length === 0 && !list.loading && !list.error && <Empty />}
      {list.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-hover" data-testid="customers-table">
            <thead>
              <tr>
                <th>{t('customers.id')}</th>
                {saved ? (
                  <th>{t('segments.enteredAt')}</th>
                ) : (
                  <>
                    <th>{t('rfm.segment')}</th>
                    <th className="num">{t('customers.ordersYear')}</th>
                    <th className="num">{t('customers.spendYear')}</th>
                    <th className="num">{t('customers.lastOrder')}</th>
                    <th>{t('rfm.lifecycle')}</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr
                  key={c.customer_id}
                  onClick={() => navigate('customers', c.customer_id)}
                  data-testid="customer-row"
                  data-customer={c.customer_id}
                >
                  <td>
                    <a className="mono" href={href('customers', c.customer_id)} onClick={(e) => e.stopPropagation()}>
                      {c.customer_id}
                    </a>
                  </td>
                  {'entered_at' in c ? (
                    <td className="nowrap">{formatDateTime(c.entered_at, lang)}</td>
                  ) : (
                    <>
                      <td>{translateValue(t, 'rfmSegment', c.segment)}</td>
                      <td className="num">{formatInt(c.frequency)}</td>
                      <td className="num nowrap">{formatFen(c.monetary)}</td>
                      <td className="num">{t('rfm.daysAgo', { days: c.recency_days })}</td>
                      <td>{translateValue(t, 'lifecycle', c.lifecycle)}</td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </>
  );
}
