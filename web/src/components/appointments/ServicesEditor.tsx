import { useState, type FormEvent } from 'react';
import type { Answer } from '../../contract';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { boundLocation, useMe } from '../../me';
import { useApi } from '../../session';
import { ActionError } from '../Status';

type Services = Answer<'/v1/locations/{id}/services'>;
type Service = Services['services'][number];
/** A row being edited: numbers as typed, a code of its own for a new service (store staff see names). */
interface Row {
  code: string;
  name: string;
  minutes: string;
  capacity: string;
}

const toRow = (s: Service): Row => ({
  code: s.code,
  name: s.name,
  minutes: String(s.duration_minutes),
  capacity: String(s.capacity),
});
const newCode = () => `svc-${crypto.randomUUID().slice(0, 8)}`;
const whole = (v: string, min: number, max: number) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;

/**
 * 可预约服务: the store's services by appointment, with how long each takes and how many may be
 * booked at once. Admins and the store's own staff edit them (PUT /v1/locations/:id/services: a
 * service removed here is no longer bookable, its appointments stay); everyone else reads them.
 */
export function ServicesEditor({
  location,
  services,
  onSaved,
}: {
  location: string;
  services: Service[];
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const save = useAction();
  const [rows, setRows] = useState<Row[]>(() => services.map(toRow));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const editable = me?.role === 'admin' || (me?.role === 'store_staff' && boundLocation(me) === location);

  if (!editable)
    return services.length === 0 ? null : (
      <>
        <h4>{t('appt.services')}</h4>
        <ul className="muted small" data-testid="appt-services">
          {services.map((s) => (
            <li key={s.code}>
              {s.name} · {t('appt.minutes', { n: s.duration_minutes })} · {t('appt.capacity', { n: s.capacity })}
            </li>
          ))}
        </ul>
      </>
    );

  const edit = (i: number, field: keyof Row) => (e: { target: { value: string } }) => {
    setSaved(false);
    setRows(rows.map((r, k) => (k === i ? { ...r, [field]: e.target.value } : r)));
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const bad = rows.find((r) => r.name.trim() === '' || !whole(r.minutes, 5, 1440) || !whole(r.capacity, 1, 1000));
    if (bad) return setInvalid(t('appt.serviceInvalid'));
    setInvalid(null);
    const body = {
      services: rows.map((r) => ({
        code: r.code,
        name: r.name.trim(),
        duration_minutes: Number(r.minutes),
        capacity: Number(r.capacity),
      })),
    };
    const done = await save.run(() =>
      api.put<Services>(`/v1/locations/${encodeURIComponent(location)}/services`, body),
    );
    if (done) {
      setRows(done.services.map(toRow));
      setSaved(true);
      onSaved();
    }
  }

  return (
    <form className="services-editor" onSubmit={submit} noValidate data-testid="services-editor">
      <h4>{t('appt.services')}</h4>
      <p className="muted small">{t('appt.servicesHint')}</p>
      <ul className="services-list">
        {rows.map((r, i) => (
          <li key={r.code} data-testid={`service-row-${i}`}>
            <input
              value={r.name}
              maxLength={100}
              placeholder={t('appt.serviceName')}
              onChange={edit(i, 'name')}
              aria-label={t('appt.serviceName')}
              data-testid="service-name"
            />
            <div className="services-numbers">
              <label>
                {t('appt.durationLabel')}
                <input
                  className="qty-input"
                  type="number"
                  min={5}
                  max={1440}
                  step={5}
                  value={r.minutes}
                  onChange={edit(i, 'minutes')}
                  data-testid="service-minutes"
                />
                {t('appt.minutesUnit')}
              </label>
              <label>
                {t('appt.capacityLabel')}
                <input
                  className="qty-input"
                  type="number"
                  min={1}
                  max={1000}
                  value={r.capacity}
                  onChange={edit(i, 'capacity')}
                  data-testid="service-capacity"
                />
                {t('appt.capacityUnit')}
              </label>
              <button
                type="button"
                className="btn btn-link"
                onClick={() => {
                  setSaved(false);
                  setRows(rows.filter((_, k) => k !== i));
                }}
                data-testid="service-remove"
              >
                {t('appt.serviceRemove')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {invalid && (
        <div className="status status-error form-error" role="alert">
          {invalid}
        </div>
      )}
      <ActionError error={save.error} testId="services-error" />
      {saved && (
        <div className="status status-ok" role="status" data-testid="services-saved">
          {t('appt.servicesSaved')}
        </div>
      )}
      <div className="services-editor-actions">
        <button
          type="button"
          className="btn"
          onClick={() => {
            setSaved(false);
            setRows([...rows, { code: newCode(), name: '', minutes: '60', capacity: '1' }]);
          }}
          data-testid="service-add"
        >
          {t('appt.serviceAdd')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.busy} data-testid="services-save">
          {t('appt.servicesSave')}
        </button>
      </div>
    </form>
  );
}
