import { useState, type FormEvent } from 'react';
import type { NearbyStore, Query } from '../api';
import { formatInt } from '../format';
import type { Resource } from '../hooks';
import { translateValue, useI18n, type MessageKey } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { ErrorMessage, Loading } from './Status';

export interface NearbyInput {
  lat: string;
  lng: string;
  radius: string;
  sku: string;
  qty: string;
}

/** The form's fields as the API's query, or the message for the first field that is wrong. */
export function nearbyQuery(f: NearbyInput): { query: Query } | { invalid: 'lat' | 'lng' | 'radius' | 'qty' } {
  const lat = Number(f.lat);
  const lng = Number(f.lng);
  const radius = Number(f.radius);
  if (f.lat.trim() === '' || !Number.isFinite(lat) || lat < -90 || lat > 90) return { invalid: 'lat' };
  if (f.lng.trim() === '' || !Number.isFinite(lng) || lng < -180 || lng > 180) return { invalid: 'lng' };
  if (f.radius.trim() === '' || !Number.isFinite(radius) || radius < 0 || radius > 500) return { invalid: 'radius' };
  const qty = f.qty.trim() === '' ? undefined : Number(f.qty);
  if (qty !== undefined && (!Number.isInteger(qty) || qty < 1)) return { invalid: 'qty' };
  return { query: { lat, lng, radius_km: radius, sku: f.sku.trim() || undefined, qty } };
}

/** "Which stores are near here (and have this SKU)?": lat/lng typed or picked on the map, a radius, an optional SKU. */
export function NearbySearch({
  input,
  onInput,
  query,
  result,
  onSearch,
  onHighlight,
}: {
  input: NearbyInput;
  onInput: (i: NearbyInput) => void;
  /** The search shown (null: none) and its answer. */
  query: Query | null;
  result: Resource<{ items: NearbyStore[] }>;
  onSearch: (q: Query | null) => void;
  onHighlight: (id: string | null) => void;
}) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const [invalid, setInvalid] = useState<string | null>(null);
  const set = (field: keyof NearbyInput) => (e: { target: { value: string } }) =>
    onInput({ ...input, [field]: e.target.value });

  function submit(e: FormEvent) {
    e.preventDefault();
    const q = nearbyQuery(input);
    if ('invalid' in q) {
      setInvalid(t(`nearby.invalid.${q.invalid}` as MessageKey));
      return;
    }
    setInvalid(null);
    onSearch(q.query);
  }

  const withSku = !!query?.sku;
  return (
    <div className="nearby" data-testid="nearby">
      <form className="nearby-form" onSubmit={submit} noValidate>
        <label className="field">
          <span>{t('nearby.lat')}</span>
          <input inputMode="decimal" value={input.lat} onChange={set('lat')} data-testid="nearby-lat" />
        </label>
        <label className="field">
          <span>{t('nearby.lng')}</span>
          <input inputMode="decimal" value={input.lng} onChange={set('lng')} data-testid="nearby-lng" />
        </label>
        <label className="field">
          <span>{t('nearby.radius')}</span>
          <input
            type="number"
            min={0}
            max={500}
            step="any"
            value={input.radius}
            onChange={set('radius')}
            data-testid="nearby-radius"
          />
        </label>
        <label className="field">
          <span>
            {t('orders.sku')} <small className="muted">{t('settings.optional')}</small>
          </span>
          <input value={input.sku} maxLength={64} onChange={set('sku')} data-testid="nearby-sku" />
        </label>
        <label className="field">
          <span>
            {t('orders.qty')} <small className="muted">{t('settings.optional')}</small>
          </span>
          <input type="number" min={1} step={1} value={input.qty} onChange={set('qty')} data-testid="nearby-qty" />
        </label>
        <div className="nearby-buttons">
          <button type="submit" className="btn btn-primary" data-testid="nearby-submit">
            {t('nearby.search')}
          </button>
          {query && (
            <button type="button" className="btn" onClick={() => onSearch(null)} data-testid="nearby-clear">
              {t('nearby.clear')}
            </button>
          )}
        </div>
      </form>
      <p className="muted small">{t('nearby.hint')}</p>
      {invalid && (
        <div className="status status-error" role="alert" data-testid="nearby-invalid">
          {invalid}
        </div>
      )}
      {result.error && <ErrorMessage error={result.error} onRetry={result.reload} />}
      {query && !result.data && result.loading && <Loading />}
      {result.data && (
        <div data-testid="nearby-results">
          <p className="small">
            <strong data-testid="nearby-count">
              {t('nearby.found', { count: result.data.items.length, km: String(query?.radius_km ?? '') })}
            </strong>
          </p>
          {result.data.items.length > 0 && (
            <table className="table table-compact table-hover">
              <thead>
                <tr>
                  <th>{t('stores.name')}</th>
                  <th className="num">{t('routing.distance')}</th>
                  {withSku && <th className="num">{t('inventory.onlineAvailable')}</th>}
                </tr>
              </thead>
              <tbody>
                {result.data.items.map((n) => (
                  <tr
                    key={n.location_id}
                    onMouseEnter={() => onHighlight(n.location_id)}
                    onMouseLeave={() => onHighlight(null)}
                    data-testid="nearby-row"
                    data-location={n.location_id}
                  >
                    <td>
                      {locationLabel(byId, n.location_id, lang)}{' '}
                      <span className="muted small">{translateValue(t, 'locationType', n.type)}</span>
                    </td>
                    <td className="num">{t('stores.km', { km: n.distance_km })}</td>
                    {withSku && <td className="num">{formatInt(n.online_available ?? 0)}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}
