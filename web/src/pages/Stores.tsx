import { useState } from 'react';
import type { Location } from '../api';
import { PageHeader, Panel } from '../components/PageHeader';
import { StoreMap } from '../components/StoreMap';
import { Empty, ErrorMessage, Loading } from '../components/Status';
import { useResource } from '../hooks';
import { translateValue, useI18n, type MessageKey, type Translate } from '../i18n';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** {mon: [["09:00","22:00"]], …} → "每天 09:00–22:00", or runs of days with the same hours. */
export function summariseHours(hours: Location['opening_hours'], t: Translate): string {
  if (!hours) return t('common.none');
  const text = (d: string) => (hours[d] && hours[d].length ? hours[d].map(([a, b]) => `${a}–${b}`).join(', ') : t('stores.closed'));
  const texts = DAYS.map(text);
  if (texts.every((x) => x === texts[0])) return t('stores.everyDay', { hours: texts[0] });
  const runs: string[] = [];
  let start = 0;
  for (let i = 1; i <= DAYS.length; i++) {
    if (i === DAYS.length || texts[i] !== texts[start]) {
      const first = t(`day.${DAYS[start]}` as MessageKey);
      const days = i - 1 === start ? first : `${first}–${t(`day.${DAYS[i - 1]}` as MessageKey)}`;
      runs.push(`${days} ${texts[start]}`);
      start = i;
    }
  }
  return runs.join('; ');
}

export function Stores() {
  const { t } = useI18n();
  const { data, error, loading, reload } = useResource<{ items: Location[] }>('/v1/locations');
  const [highlight, setHighlight] = useState<string | null>(null);
  const items = data?.items ?? [];
  const yesNo = (b: boolean) => (b ? <span className="yes">✓ {t('common.yes')}</span> : <span className="muted">{t('common.no')}</span>);

  return (
    <>
      <PageHeader title={t('stores.title')} subtitle={t('stores.subtitle')} />
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && items.length === 0 && <Empty />}
      {items.length > 0 && (
        <>
          <Panel title={t('stores.map')} hint={t('stores.mapHint')}>
            <StoreMap locations={items} highlight={highlight} onHighlight={setHighlight} />
          </Panel>
          <Panel>
            <div className="table-wrap">
              <table className="table table-hover" data-testid="stores-table">
                <thead>
                  <tr>
                    <th>{t('stores.name')}</th>
                    <th>{t('stores.type')}</th>
                    <th>{t('stores.address')}</th>
                    <th>{t('stores.hours')}</th>
                    <th>{t('stores.ship')}</th>
                    <th>{t('stores.pickup')}</th>
                    <th className="num">{t('stores.delivery')}</th>
                    <th className="num">{t('stores.coords')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((l) => (
                    <tr
                      key={l.id}
                      className={highlight === l.id ? 'selected' : ''}
                      onMouseEnter={() => setHighlight(l.id)}
                      onMouseLeave={() => setHighlight(null)}
                      data-testid={`store-row-${l.id}`}
                    >
                      <td>
                        <div>{l.name}</div>
                        <div className="mono muted small">{l.id}</div>
                      </td>
                      <td><span className={`badge badge-type-${l.type}`}>{translateValue(t, 'locationType', l.type)}</span></td>
                      <td>{l.address ?? t('common.none')}</td>
                      <td className="small">{summariseHours(l.opening_hours, t)}</td>
                      <td>{yesNo(l.capabilities.ship)}</td>
                      <td>{yesNo(l.capabilities.pickup)}</td>
                      <td className="num">{l.capabilities.local_delivery_km ? t('stores.km', { km: l.capabilities.local_delivery_km }) : t('common.none')}</td>
                      <td className="num mono small">{l.lat.toFixed(4)}, {l.lng.toFixed(4)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Panel>
        </>
      )}
    </>
  );
}
