import { ApiError } from '../api';
import { useI18n } from '../i18n';

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="status status-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {t('common.loading')}
    </div>
  );
}

/** The API's generic 403 message; a more specific one (e.g. "this order belongs to another store") is shown too. */
const GENERIC_FORBIDDEN = 'your role may not do this';

/** The API's own message ({"error":{"message"}}), or "not allowed for your role" for a 403. */
export function ErrorMessage({ error, onRetry, forbiddenText }: { error: Error; onRetry?: () => void; forbiddenText?: string }) {
  const { t } = useI18n();
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div className={forbidden ? 'status status-forbidden' : 'status status-error'} role="alert" data-testid={forbidden ? 'forbidden' : 'error'}>
      <span>{forbidden ? (forbiddenText ?? t('common.forbidden')) : t('common.error', { message: error.message })}</span>
      {forbidden && error.message !== GENERIC_FORBIDDEN && <span className="small">({error.message})</span>}
      {onRetry && !forbidden && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty() {
  const { t } = useI18n();
  return <div className="status status-empty">{t('common.empty')}</div>;
}

/** The foot of a paginated table: how many are shown and a "load more" button while there are more. */
export function LoadMore({ count, hasMore, loading, onMore }: { count: number; hasMore: boolean; loading: boolean; onMore: () => void }) {
  const { t } = useI18n();
  return (
    <div className="load-more">
      <span className="muted">{t('common.shown', { count })}</span>
      {hasMore ? (
        <button type="button" className="btn" onClick={onMore} disabled={loading} data-testid="load-more">
          {loading ? t('common.loading') : t('common.loadMore')}
        </button>
      ) : (
        count > 0 && <span className="muted">{t('common.end')}</span>
      )}
    </div>
  );
}
