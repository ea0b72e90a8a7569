import { useMemo, useState } from 'react';
import type { Location, NearbyStore, Query } from '../api';
import { LocationEditForm, LocationForm, LocationStatusButton } from '../components/LocationForm';
import { NearbySearch, nearbyQuery, type NearbyInput } from '../components/NearbySearch';
import { PageHeader, Panel } from '../components/PageHeader';
import { StoreMap, type MapPoint } from '../components/StoreMap';
import { Empty, ErrorMessage, Loading } from '../components/Status';
import { localName } from '../format';
import { useResource } from '../hooks';
import { translateValue, useI18n, type MessageKey, type Translate } from '../i18n';
import { can, useMe } from '../me';
import { href } from '../router';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** {mon: [["09:00","22:00"]], …} → "每天 09:00–22:00", or runs of days with the same hours. */
export function summariseHours(hours: Location['opening_hours'], t: Translate): string {
  if (!hours) return t('common.none');
  const text = (d: string) =>
    hours[d] && hours[d].length ? hours[d].map(([a, b]) => `${a}–${b}`).join(', ') : t('stores.closed');
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
  const { t, lang } = useI18n();
  const me = useMe();
  const { data, error, loading, reload } = useResource<{ items: Location[] }>('/v1/locations');
  const [highlight, setHighlight] = useState<string | null>(null);
  const [input, setInput] = useState<NearbyInput>({ lat: '', lng: '', radius: '3', sku: '', qty: '' });
  const [query, setQuery] = useState<Query | null>(null);
  const nearby = useResource<{ items: NearbyStore[] }>(query ? '/v1/locations/nearby' : null, query ?? undefined);
  const matches = useMemo(
    () => (query && nearby.data ? new Set(nearby.data.items.map((n) => n.location_id)) : undefined),
    [query, nearby.data],
  );
  const [showCreate, setShowCreate] = useState(false);
  const [created, setCreated] = useState<Location | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<Location | null>(null);
  const admin = can(me, 'createLocation');
  const items = data?.items ?? [];
  const yesNo = (b: boolean) =>
    b ? <span className="yes">✓ {t('common.yes')}</span> : <span className="muted">{t('common.no')}</span>;

  const lat = Number(input.lat);
  const lng = Number(input.lng);
  const point: MapPoint | null =
    input.lat.trim() && input.lng.trim() && Number.isFinite(lat) && Number.isFinite(lng)
      ? { lat, lng, radius_km: query ? Number(query.radius_km) : undefined }
      : null;

  /** A click on the map searches around that point at once, with the radius and SKU in the form. */
  function pick(la: number, ln: number) {
    const next = { ...input, lat: String(la), lng: String(ln) };
    setInput(next);
    const q = nearbyQuery(next);
    if ('query' in q) setQuery(q.query);
  }

  return (
    <>
      <PageHeader
        title={t('stores.title')}
        subtitle={t('stores.subtitle')}
        actions={
          can(me, 'createLocation') ? (
            <button
              type="button"
              className={'btn' + (showCreate ? ' pressed' : '')}
              aria-expanded={showCreate}
              onClick={() => setShowCreate(!showCreate)}
              data-testid="location-create-open"
            >
              {t('locationForm.title')}
            </button>
          ) : undefined
        }
      />
      {showCreate && (
        <Panel title={t('locationForm.title')} hint={t('locationForm.hint')} testId="location-create">
          {created && (
            <div className="status status-ok" role="status" data-testid="location-created">
              {t('locationForm.created', { name: localName(created.name, lang), id: created.id })}
            </div>
          )}
          <LocationForm
            point={point}
            onCreated={(l) => {
              setCreated(l);
              reload();
            }}
          />
        </Panel>
      )}
      {saved && !editing && (
        <div className="status status-ok" role="status" data-testid="location-saved">
          {t(saved.status === 'closed' ? 'locationEdit.closedNow' : 'locationEdit.saved', {
            name: localName(saved.name, lang),
          })}
        </div>
      )}
      {editing && items.some((l) => l.id === editing) && (
        <Panel
          title={t('locationEdit.title', { name: localName(items.find((l) => l.id === editing)!.name, lang) })}
          testId="location-edit"
        >
          <LocationEditForm
            key={editing}
            location={items.find((l) => l.id === editing)!}
            onSaved={(l) => {
              setSaved(l);
              setEditing(null);
              reload();
            }}
            onCancel={() => setEditing(null)}
          />
        </Panel>
      )}
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && items.length === 0 && <Empty />}
      {items.length > 0 && (
        <>
          <Panel title={t('stores.map')} hint={t('stores.mapHint')}>
            <div className="map-layout">
              <StoreMap
                locations={items}
                highlight={highlight}
                onHighlight={setHighlight}
                onPick={pick}
                point={point}
                matches={matches}
              />
              <div>
                <h3 className="first">{t('nearby.title')}</h3>
                <NearbySearch
                  input={input}
                  onInput={setInput}
                  query={query}
                  result={nearby}
                  onSearch={setQuery}
                  onHighlight={setHighlight}
                />
              </div>
            </div>
          </Panel>
          <Panel>
            <div className="table-wrap">
              <table className="table table-hover" data-testid="stores-table">
                <thead>
                  <tr>
                    <th>{t('stores.name')}</th>
                    <th>{t('stores.type')}</th>
                    <th>{t('stores.status')}</th>
                    <th>{t('stores.address')}</th>
                    <th>{t('stores.hours')}</th>
                    <th>{t('stores.ship')}</th>
                    <th>{t('stores.pickup')}</th>
                    <th className="num">{t('stores.delivery')}</th>
                    <th className="num">{t('stores.coords')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((l) => (
                    <tr
                      key={l.id}
                      className={(highlight === l.id ? 'selected' : '') + (matches?.has(l.id) ? ' match-row' : '')}
                      onMouseEnter={() => setHighlight(l.id)}
                      onMouseLeave={() => setHighlight(null)}
                      data-testid={`store-row-${l.id}`}
                      data-status={l.status}
                    >
                      <td>
                        <div title={l.name}>{localName(l.name, lang)}</div>
                        <div className="mono muted small" translate="no">
                          {l.id}
                        </div>
                      </td>
                      <td>
                        <span className={`badge badge-type-${l.type}`}>
                          {translateValue(t, 'locationType', l.type)}
                        </span>
                      </td>
                      <td>
                        <span
                          className={'badge ' + (l.status === 'closed' ? 'badge-muted' : 'badge-ok')}
                          data-testid={`store-status-${l.id}`}
                        >
                          {translateValue(t, 'locationStatus', l.status)}
                        </span>
                      </td>
                      <td>{l.address ?? t('common.none')}</td>
                      <td className="small">{summariseHours(l.opening_hours, t)}</td>
                      <td>{yesNo(l.capabilities.ship)}</td>
                      <td>{yesNo(l.capabilities.pickup)}</td>
                      <td className="num">
                        {l.capabilities.local_delivery_km
                          ? t('stores.km', { km: l.capabilities.local_delivery_km })
                          : t('common.none')}
                      </td>
                      <td className="num mono small">
                        {l.lat.toFixed(4)}, {l.lng.toFixed(4)}
                      </td>
                      <td>
                        <div className="row-actions">
                          {(l.type === 'store' || l.type === 'dark_store') && (
                            <a href={href('stores', l.id)} data-testid={`store-scorecard-${l.id}`}>
                              {t('league.scorecard')}
                            </a>
                          )}
                          <a href={href('stores', l.id, 'stock')} data-testid={`store-stock-${l.id}`}>
                            {t('storeStock.open')}
                          </a>
                          {admin && (
                            <button
                              type="button"
                              className="btn btn-small"
                              onClick={() => {
                                setSaved(null);
                                setEditing(l.id);
                              }}
                              data-testid={`store-edit-${l.id}`}
                            >
                              {t('locationEdit.edit')}
                            </button>
                          )}
                          {admin && (
                            <LocationStatusButton
                              location={l}
                              onChanged={(x) => {
                                setSaved(x);
                                reload();
                              }}
                            />
                          )}
                        </div>
                      </td>
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
