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
  const caps = useCapabilities({ ship: true, pickup: true, local_delivery_km: null });
  const [invalid, setInvalid] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const la = Number(lat);
    const ln = Number(lng);
    const km = caps.km();
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
        capabilities: { ship: caps.ship, pickup: caps.pickup, local_delivery_km: km },
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
      <CapabilityFields caps={caps} testId="location" />
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="location-submit">
        {t('locationForm.submit')}
      </button>
      <FormErrors invalid={invalid} error={action.error} testId="location" />
    </form>
  );
}

const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The one daily opening window when every day has the same single one ("" when none or irregular). */
function dailyWindow(hours: Location['opening_hours']): [string, string] | null {
  if (!hours) return null;
  const first = hours.mon;
  if (!first || first.length !== 1) return null;
  const same = WEEK.every(
    (d) => hours[d]?.length === 1 && hours[d]![0][0] === first[0][0] && hours[d]![0][1] === first[0][1],
  );
  return same ? [first[0][0], first[0][1]] : null;
}

/**
 * Edits a location (admins): name, daily opening hours, capabilities and delivery radius. Only what
 * changed is sent (PATCH); hours that differ per day are kept unless new daily hours are typed.
 */
export function LocationEditForm({
  location,
  onSaved,
  onCancel,
}: {
  location: Location;
  onSaved: (l: Location) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const daily = dailyWindow(location.opening_hours);
  const [name, setName] = useState(location.name);
  const [alwaysOpen, setAlwaysOpen] = useState(location.opening_hours === null);
  const [opens, setOpens] = useState(daily?.[0] ?? '');
  const [closes, setCloses] = useState(daily?.[1] ?? '');
  const caps = useCapabilities(location.capabilities);
  const [invalid, setInvalid] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const km = caps.km();
    if (!name.trim()) return setInvalid(t('settings.nameRequired'));
    if (km !== null && (!Number.isFinite(km) || km < 0 || km > 100)) return setInvalid(t('locationForm.kmInvalid'));
    const body: Record<string, unknown> = {};
    if (name.trim() !== location.name) body.name = name.trim();
    if (alwaysOpen) {
      if (location.opening_hours !== null) body.opening_hours = null;
    } else if (opens.trim() || closes.trim()) {
      if (!HHMM.test(opens.trim()) || !HHMM.test(closes.trim()) || opens.trim() >= closes.trim())
        return setInvalid(t('locationEdit.hoursInvalid'));
      if (!daily || daily[0] !== opens.trim() || daily[1] !== closes.trim())
        body.opening_hours = Object.fromEntries(WEEK.map((d) => [d, [[opens.trim(), closes.trim()]]]));
    } else if (location.opening_hours === null) return setInvalid(t('locationEdit.hoursInvalid'));
    const changed: Record<string, unknown> = {};
    if (caps.ship !== location.capabilities.ship) changed.ship = caps.ship;
    if (caps.pickup !== location.capabilities.pickup) changed.pickup = caps.pickup;
    if (km !== location.capabilities.local_delivery_km) changed.local_delivery_km = km;
    if (Object.keys(changed).length) body.capabilities = changed;
    setInvalid(null);
    if (Object.keys(body).length === 0) return onCancel();
    const saved = await action.run(() => api.patch<Location>(`/v1/locations/${encodeURIComponent(location.id)}`, body));
    if (saved) onSaved(saved);
  }

  return (
    <form className="location-form" onSubmit={submit} noValidate data-testid="location-edit-form">
      <label className="field">
        <span>{t('stores.name')}</span>
        <input
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="location-edit-name"
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={alwaysOpen}
          onChange={(e) => setAlwaysOpen(e.target.checked)}
          data-testid="location-edit-always"
        />
        {t('locationEdit.alwaysOpen')}
      </label>
      {!alwaysOpen && (
        <>
          <label className="field">
            <span>{t('locationEdit.opens')}</span>
            <input
              type="time"
              value={opens}
              onChange={(e) => setOpens(e.target.value)}
              data-testid="location-edit-opens"
            />
          </label>
          <label className="field">
            <span>{t('locationEdit.closes')}</span>
            <input
              type="time"
              value={closes}
              onChange={(e) => setCloses(e.target.value)}
              data-testid="location-edit-closes"
            />
          </label>
          {location.opening_hours && !daily && <p className="muted small">{t('locationEdit.irregular')}</p>}
        </>
      )}
      <CapabilityFields caps={caps} testId="location-edit" />
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="location-edit-submit">
        {t('locationEdit.save')}
      </button>
      <button type="button" className="btn" onClick={onCancel} data-testid="location-edit-cancel">
        {t('locationEdit.cancel')}
      </button>
      <FormErrors invalid={invalid} error={action.error} testId="location-edit" />
    </form>
  );
}

/** Close a store (no new orders, routing skips it) or reopen it. */
export function LocationStatusButton({
  location,
  onChanged,
}: {
  location: Location;
  onChanged: (l: Location) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const closed = location.status === 'closed';
  async function toggle() {
    if (!closed && !window.confirm(t('locationEdit.closeConfirm'))) return;
    const saved = await action.run(() =>
      api.patch<Location>(`/v1/locations/${encodeURIComponent(location.id)}`, { status: closed ? 'active' : 'closed' }),
    );
    if (saved) onChanged(saved);
  }
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        disabled={action.busy}
        onClick={toggle}
        data-testid={`store-status-toggle-${location.id}`}
      >
        {closed ? t('locationEdit.reopen') : t('locationEdit.close')}
      </button>
      <ActionError error={action.error} testId={`store-status-error-${location.id}`} />
    </>
  );
}

type Capabilities = Location['capabilities'];

/** The capability fields' state: what it can do and its delivery radius as typed. */
function useCapabilities(initial: Capabilities) {
  const [ship, setShip] = useState(initial.ship);
  const [pickup, setPickup] = useState(initial.pickup);
  const [deliveryKm, setDeliveryKm] = useState(
    initial.local_delivery_km === null ? '' : String(initial.local_delivery_km),
  );
  /** The radius typed: null when empty, NaN when not a number. */
  const km = () => (deliveryKm.trim() === '' ? null : Number(deliveryKm));
  return { ship, setShip, pickup, setPickup, deliveryKm, setDeliveryKm, km };
}

/** Ships, pickup and the delivery radius, shared by the create and edit forms (testId: their prefix). */
function CapabilityFields({ caps, testId }: { caps: ReturnType<typeof useCapabilities>; testId: string }) {
  const { t } = useI18n();
  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={caps.ship}
          onChange={(e) => caps.setShip(e.target.checked)}
          data-testid={`${testId}-ship`}
        />
        {t('stores.ship')}
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={caps.pickup}
          onChange={(e) => caps.setPickup(e.target.checked)}
          data-testid={`${testId}-pickup`}
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
          value={caps.deliveryKm}
          onChange={(e) => caps.setDeliveryKm(e.target.value)}
          data-testid={`${testId}-km`}
        />
      </label>
    </>
  );
}

/** A form's own validation message and the API's error. */
function FormErrors({ invalid, error, testId }: { invalid: string | null; error: Error | null; testId: string }) {
  return (
    <>
      {invalid && (
        <div className="status status-error form-error" role="alert" data-testid={`${testId}-invalid`}>
          {invalid}
        </div>
      )}
      <ActionError error={error} testId={`${testId}-error`} />
    </>
  );
}
