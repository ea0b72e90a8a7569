import { useState } from 'react';
import { PageHeader, Panel } from '../components/PageHeader';
import { ShelfOrderLink } from '../components/ShelfOrderLink';
import { ActionError, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { Tabs } from '../components/Tabs';
import { allOf, type Answer } from '../contract';
import { formatDateTime, localName } from '../format';
import { useAction, usePagedList } from '../hooks';
import { useI18n } from '../i18n';
import { href } from '../router';
import { useApi } from '../session';

/** GET /v1/reviews: a page of the moderation queue. */
type Review = Answer<'/v1/reviews'>['items'][number];
type Status = Review['status'];
const STATUSES = allOf<Status>()(['pending', 'published', 'rejected']);

const stars = (n: number) => '★'.repeat(n) + '☆'.repeat(5 - n);

/**
 * The moderation queue: publish a buyer's review to the product page, or reject it (or take it down
 * later); below it, where the product page's order links lead.
 */
export function Reviews() {
  const { t, lang } = useI18n();
  const api = useApi();
  const action = useAction();
  const [status, setStatus] = useState<Status>('pending');
  const [notice, setNotice] = useState<string | null>(null);
  const list = usePagedList<Review>('/v1/reviews', { status });

  async function moderate(r: Review, to: 'published' | 'rejected') {
    const done = await action.run(() => api.patch(`/v1/reviews/${encodeURIComponent(r.id)}`, { status: to }));
    if (done) {
      setNotice(t('reviews.done', { product: localName(r.product_name ?? r.sku, lang) }));
      list.reload();
    }
  }

  return (
    <>
      <PageHeader title={t('reviews.title')} subtitle={t('reviews.subtitle')} />
      <Tabs
        value={status}
        onChange={(s) => {
          setNotice(null);
          setStatus(s);
        }}
        tabs={STATUSES.map((s) => ({ id: s, label: t(`reviews.status.${s}`) }))}
        testId="reviews-tabs"
      />
      {notice && (
        <div className="status status-info" role="status" data-testid="reviews-notice">
          {notice}
        </div>
      )}
      <ActionError error={action.error} testId="reviews-error" />
      <Panel testId="reviews-panel">
        {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
        {list.loading && list.items.length === 0 && <Loading />}
        {!list.loading && !list.error && list.items.length === 0 && (
          <div className="status status-empty">{t('reviews.empty')}</div>
        )}
        {list.items.length > 0 && (
          <div className="table-wrap">
            <table className="table" data-testid="reviews-table">
              <thead>
                <tr>
                  <th>{t('reviews.product')}</th>
                  <th>{t('reviews.rating')}</th>
                  <th>{t('reviews.text')}</th>
                  <th>{t('reviews.order')}</th>
                  <th>{t('reviews.at')}</th>
                  <th>{t('reviews.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((r) => (
                  <tr key={r.id} data-testid={`review-${r.id}`}>
                    <td>
                      <div>{localName(r.product_name ?? r.sku, lang)}</div>
                      <a className="small" href={`/p/${encodeURIComponent(r.sku)}`} target="_blank" rel="noreferrer">
                        {t('reviews.page')}
                      </a>
                    </td>
                    <td className="nowrap" style={{ color: '#faad14' }} aria-label={String(r.rating)}>
                      {stars(r.rating)}
                    </td>
                    <td style={{ maxWidth: 360, whiteSpace: 'pre-wrap' }}>{r.text}</td>
                    <td className="mono small">
                      <a href={href('orders', r.order_id)}>{r.order_id}</a>
                    </td>
                    <td className="nowrap small">{formatDateTime(r.created_at, lang)}</td>
                    <td className="nowrap">
                      {r.status !== 'published' && (
                        <button
                          type="button"
                          className="btn btn-primary"
                          disabled={action.busy}
                          onClick={() => void moderate(r, 'published')}
                          data-testid={`review-publish-${r.id}`}
                        >
                          {t('reviews.publish')}
                        </button>
                      )}{' '}
                      {r.status !== 'rejected' && (
                        <button
                          type="button"
                          className="btn"
                          disabled={action.busy}
                          onClick={() => void moderate(r, 'rejected')}
                          data-testid={`review-reject-${r.id}`}
                        >
                          {r.status === 'published' ? t('reviews.takeDown') : t('reviews.reject')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
      </Panel>
      <ShelfOrderLink />
    </>
  );
}
