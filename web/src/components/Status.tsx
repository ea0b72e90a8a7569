import { ApiError } from '../api';
import { useI18n, type MessageKey, type Translate } from '../i18n';

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
export function ErrorMessage({
  error,
  onRetry,
  forbiddenText,
}: {
  error: Error;
  onRetry?: () => void;
  forbiddenText?: string;
}) {
  const { t } = useI18n();
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div
      className={forbidden ? 'status status-forbidden' : 'status status-error'}
      role="alert"
      data-testid={forbidden ? 'forbidden' : 'error'}
    >
      <span>
        {forbidden ? (forbiddenText ?? t('common.forbidden')) : t('common.error', { message: error.message })}
      </span>
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
export function LoadMore({
  count,
  hasMore,
  loading,
  onMore,
}: {
  count: number;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
}) {
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

/** Codes whose wording names the request field the API blamed ({field}). */
const FIELD_CODES: Record<string, MessageKey> = {
  validation_error: 'apiError.validation_error',
  invalid_journey: 'apiError.invalid_journey',
};

/**
 * A request field in words: its last name in the path (`steps[2].wait.duration` → duration) from the
 * field dictionary, else the path as the API gave it.
 */
function fieldLabel(t: Translate, field: string): string {
  const last = field
    .split('.')
    .pop()!
    .replace(/\[\d+\]$/, '');
  const key = `field.${last}` as MessageKey;
  const label = t(key);
  return label === key ? field : label;
}

/** A write's error in words: a known code in the user's language plus the API's message, or the message alone. */
export function errorText(t: Translate, error: Error): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return `${t('common.forbidden')} (${error.message})`;
    const withField = FIELD_CODES[error.code];
    if (withField)
      return error.field
        ? `${t(withField, { field: fieldLabel(t, error.field) })} (${error.message})`
        : `${t('apiError.validation_error_nofield')} (${error.message})`;
    // Every code worded in the errors dictionaries (apiError.<code>) is explained; others show the API's message.
    const key = `apiError.${error.code}` as MessageKey;
    const words = t(key);
    if (words !== key) return `${words} (${error.message})`;
  }
  return t('common.error', { message: error.message });
}

/** The error of a form or button, shown next to it. */
export function ActionError({ error, testId = 'action-error' }: { error: Error | null; testId?: string }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div
      className="status status-error form-error"
      role="alert"
      data-testid={testId}
      data-code={error instanceof ApiError ? error.code : undefined}
    >
      {errorText(t, error)}
    </div>
  );
}
