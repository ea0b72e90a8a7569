import type { Customer, Location } from '../api';
import { ChannelBadge } from '../components/Badges';
import { PageHeader, Panel } from '../components/PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { formatDateTime } from '../format';
import { usePagedList } from '../hooks';
import { translateValue, useI18n, type Lang, type Translate } from '../i18n';
import { locationLabel, useLocations } from '../locations';

function traitValue(t: Translate, lang: Lang, byId: Map<string, Location>, key: string, value: unknown): string {
  if (value === null || value === undefined) return t('common.none');
  if (key === 'gender' && typeof value === 'string') return translateValue(t, 'gender', value);
  if (key === 'home_store' && typeof value === 'string') return locationLabel(byId, value, lang);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function Customers() {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const customers = usePagedList<Customer>('/v1/customers');

  return (
    <>
      <PageHeader title={t('customers.title')} subtitle={t('customers.subtitle')} />
      <Panel>
        {customers.error && <ErrorMessage error={customers.error} onRetry={customers.items.length ? customers.loadMore : customers.reload} />}
        {customers.items.length === 0 && customers.loading && <Loading />}
        {customers.items.length === 0 && !customers.loading && !customers.error && <Empty />}
        {customers.items.length > 0 && (
          <div className="table-wrap">
            <table className="table" data-testid="customers-table">
              <thead>
                <tr>
                  <th>{t('customers.id')}</th>
                  <th>{t('customers.createdAt')}</th>
                  <th>{t('customers.firstChannel')}</th>
                  <th>{t('customers.traits')}</th>
                  <th>{t('customers.identifiers')}</th>
                </tr>
              </thead>
              <tbody>
                {customers.items.map((c) => (
                  <tr key={c.id} data-testid="customer-row">
                    <td className="mono">{c.id}</td>
                    <td className="nowrap">{formatDateTime(c.created_at, lang)}</td>
                    <td><ChannelBadge channel={c.first_channel} /></td>
                    <td>
                      <div className="chips">
                        {Object.entries(c.traits).map(([k, v]) => (
                          <span key={k} className="chip">
                            <span className="chip-key">{translateValue(t, 'trait', k)}</span>
                            {traitValue(t, lang, byId, k, v)}
                          </span>
                        ))}
                      </div>
                    </td>
                    <td>
                      <div className="chips">
                        {c.identifiers.map((i, n) => (
                          <span key={i.type + n} className="chip">
                            <span className="chip-key">{translateValue(t, 'identifier', i.type)}</span>
                            {i.masked === null ? <em className="muted">{t('common.hidden')}</em> : <span className="mono">{i.masked}</span>}
                          </span>
                        ))}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore count={customers.items.length} hasMore={customers.hasMore} loading={customers.loading} onMore={customers.loadMore} />
      </Panel>
    </>
  );
}
