import { useState, type FormEvent } from 'react';
import type { Location } from '../api';
import { useAction } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { useApi } from '../session';
import type { MapPoint } from './StoreMap';
import { ActionError } from './Status';

const TYPES: Location['type'][] = ['store', 'dark_store', 'dc'];

/** A new DC, store or dark store (admins): where it is and what it can do. */
export function LocationForm({ point, onCreated }: { point: MapPoint | null; onCreated: (l: Location) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [name, setName] = useState('');
  const [type, setType] = useState<Location['type']>('store');
  const [lat, setLat] = useState('');
  const [lng, setLng] = useState('');
  const [address, setAddress] = useState('');
  const [ship, setShip] = useState(true);
  const [pickup, setPickup] = useState(true);
  const [deliveryKm, setDeliveryKm] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const la = Number(lat);
    const ln = Number(lng);
    const km = deliveryKm.trim() === '' ? null : Number(deliveryKm);
    if (!name.trim()) return setInvalid(t('settings.nameRequired'));
    if (lat.trim() === '' || !Number.isFinite(la) || la < -90 || la > 90) return setInvalid(t('nearby.invalid.lat'));
    if (lng.trim() === '' || !Number.isFinite(ln) || ln < -180 || ln > 180) return setInvalid(t('nearby.invalid.lng'));
    if (km !== null && (!Number.isFinite(km) || km < 0 || km > 100)) return setInvalid(t('locationForm.kmInvalid'));
    setInvalid(null);
    const created = await action.run(() =>
      api.post<Location>('/v1/locations', {
        name: name.trim(),
        type,
        lat: la,
        lng: ln,
        ...(address.trim() ? { address: address.trim() } : {}),
        capabilities: { ship, pickup, local_delivery_km: km },
      }),
    );
    if (created) {
      setName('');
      setAddress('');
      onCreated(created);
    }
  }

  return (
    <form className="location-form" onSubmit={submit} noValidate data-testid="location-form">
      <label className="field">
        <span>{t('stores.name')}</span>
        <input
          value={name}
          maxLength={200}
          placeholder={t('locationForm.namePlaceholder')}
          onChange={(e) => setName(e.target.value)}
          data-testid="location-name"
        />
      </label>
      <label className="field">
        <span>{t('stores.type')}</span>
        <select value={type} onChange={(e) => setType(e.target.value as Location['type'])} data-testid="location-type">
          {TYPES.map((ty) => (
            <option key={ty} value={ty}>
              {translateValue(t, 'locationType', ty)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('nearby.lat')}</span>
        <input inputMode="decimal" value={lat} onChange={(e) => setLat(e.target.value)} data-testid="location-lat" />
      </label>
      <label className="field">
        <span>{t('nearby.lng')}</span>
        <input inputMode="decimal" value={lng} onChange={(e) => setLng(e.target.value)} data-testid="location-lng" />
      </label>
      <div className="field field-button">
        <button
          type="button"
          className="btn"
          disabled={!point}
          onClick={() => {
            if (!point) return;
            setLat(String(point.lat));
            setLng(String(point.lng));
          }}
          data-testid="location-use-point"
        >
          {t('locationForm.usePoint')}
        </button>
      </div>
      <label className="field field-wide">
        <span>
          {t('stores.address')} <small className="muted">{t('settings.optional')}</small>
        </span>
        <input
          value={address}
          maxLength={500}
          onChange={(e) => setAddress(e.target.value)}
          data-testid="location-address"
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={ship} onChange={(e) => setShip(e.target.checked)} data-testid="location-ship" />
        {t('stores.ship')}
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={pickup}
          onChange={(e) => setPickup(e.target.checked)}
          data-testid="location-pickup"
        />
        {t('stores.pickup')}
      </label>
      <label className="field">
        <span>
          {t('locationForm.deliveryKm')} <small className="muted">{t('settings.optional')}</small>
        </span>
        <input
          type="number"
          min={0}
          max={100}
          step="any"
          value={deliveryKm}
          onChange={(e) => setDeliveryKm(e.target.value)}
          data-testid="location-km"
        />
      </label>
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="location-submit">
        {t('locationForm.submit')}
      </button>
      {invalid && (
        <div className="status status-error form-error" role="alert" data-testid="location-invalid">
          {invalid}
        </div>
      )}
      <ActionError error={action.error} testId="location-error" />
    </form>
  );
}
