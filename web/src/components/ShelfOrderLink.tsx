import { useEffect, useState, type FormEvent } from 'react';
import type { Answer } from '../contract';
import { useAction, useResource } from '../hooks';
import { useI18n } from '../i18n';
import { useMe } from '../me';
import { useApi } from '../session';
import { Panel } from './PageHeader';
import { ActionError, ErrorMessage, Loading } from './Status';

type Settings = Answer<'/v1/settings/shelf-page'>;

/**
 * 扫码页下单链接: where the shelf-QR page's "deliver to me" and "reserve for pickup" buttons lead
 * (the shop's or mini-program's page, with {sku}, {store} and {fulfillment}). Admins change it;
 * marketers and support read it.
 */
export function ShelfOrderLink() {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const { data, error, loading, reload } = useResource<Settings>('/v1/settings/shelf-page');
  const [url, setUrl] = useState('');
  const [saved, setSaved] = useState(false);
  const save = useAction();
  useEffect(() => {
    if (data) setUrl(data.order_url);
  }, [data]);
  const editable = me?.role === 'admin';

  async function put(orderUrl: string | null) {
    setSaved(false);
    if (await save.run(() => api.put<Settings>('/v1/settings/shelf-page', { order_url: orderUrl }))) {
      setSaved(true);
      reload();
    }
  }

  return (
    <Panel title={t('reviews.orderLink')} hint={t('reviews.orderLinkHint')} testId="shelf-order-link">
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && (
        <form
          className="inline-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void put(url.trim());
          }}
          noValidate
        >
          <input
            value={url}
            disabled={!editable}
            onChange={(e) => {
              setSaved(false);
              setUrl(e.target.value);
            }}
            aria-label={t('reviews.orderLink')}
            data-testid="shelf-order-url"
          />
          {editable && (
            <>
              <button type="submit" className="btn btn-primary" disabled={save.busy} data-testid="shelf-order-save">
                {t('reviews.orderLinkSave')}
              </button>
              {!data.is_default && (
                <button
                  type="button"
                  className="btn"
                  disabled={save.busy}
                  onClick={() => void put(null)}
                  data-testid="shelf-order-reset"
                >
                  {t('reviews.orderLinkReset')}
                </button>
              )}
            </>
          )}
          {saved && (
            <span className="status status-ok" role="status" data-testid="shelf-order-saved">
              {t('reviews.orderLinkSaved')}
            </span>
          )}
        </form>
      )}
      <ul className="muted small" data-testid="shelf-order-placeholders">
        <li>
          <code translate="no">{'{sku}'}</code> {t('reviews.placeholderSku')}
        </li>
        <li>
          <code translate="no">{'{store}'}</code> {t('reviews.placeholderStore')}
        </li>
        <li>
          <code translate="no">{'{fulfillment}'}</code> {t('reviews.placeholderFulfillment')}{' '}
          <code translate="no">delivery / pickup</code>
        </li>
      </ul>
      {data?.is_default && <p className="muted small">{t('reviews.orderLinkDefault')}</p>}
      <ActionError error={save.error} testId="shelf-order-error" />
    </Panel>
  );
}
