import { useState, type FormEvent } from 'react';
import type { Answer } from '../../contract';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { newIdempotencyKey } from '../../loyalty';
import { useApi } from '../../session';
import { ActionError } from '../Status';
import { zonedDayTime, zonedInstant } from './zoned';

type Services = Answer<'/v1/locations/{id}/services'>['services'];
type Booked = Answer<'/v1/appointments', 'post'>;

/** 新建预约: a customer (by phone), one of the store's services, a day and time in the retailer's zone. */
export function BookingForm({
  location,
  services,
  day,
  tz,
  onBooked,
}: {
  location: string;
  services: Services;
  day: string;
  tz: string;
  onBooked: (a: Booked) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [phone, setPhone] = useState('');
  const [service, setService] = useState(services[0]?.code ?? '');
  const [date, setDate] = useState(day);
  const [time, setTime] = useState('10:00');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [done, setDone] = useState<Booked | null>(null);
  // one key per filled-in form: a double click or a lost answer books once; a change is a new booking
  const [idem, setIdem] = useState(() => newIdempotencyKey('appt'));
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setIdem(newIdempotencyKey('appt'));
    };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    if (phone.trim() === '') return setInvalid(t('appt.phoneInvalid'));
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return setInvalid(t('appt.timeInvalid'));
    setInvalid(null);
    const a = await action.run(() =>
      api.post<Booked>(
        '/v1/appointments',
        {
          customer: { type: 'phone', value: phone.trim() },
          location_id: location,
          service,
          starts_at: zonedInstant(date, time, tz),
        },
        { idempotencyKey: idem },
      ),
    );
    if (a) {
      setDone(a);
      setIdem(newIdempotencyKey('appt'));
      onBooked(a);
    }
  }

  if (services.length === 0) return <p className="muted">{t('appt.noServices')}</p>;
  const bookedName = services.find((s) => s.code === done?.service)?.name ?? done?.service;
  return (
    <form className="stock-form" onSubmit={submit} noValidate data-testid="booking-form">
      <h4>{t('appt.book')}</h4>
      <label className="field">
        <span>{t('appt.phone')}</span>
        <input
          type="tel"
          value={phone}
          onChange={(e) => edit(setPhone)(e.target.value)}
          data-testid="booking-phone"
          autoComplete="off"
        />
      </label>
      <label className="field">
        <span>{t('appt.service')}</span>
        <select value={service} onChange={(e) => edit(setService)(e.target.value)} data-testid="booking-service">
          {services.map((s) => (
            <option key={s.code} value={s.code}>
              {s.name}（{t('appt.minutes', { n: s.duration_minutes })}）
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('appt.date')}</span>
        <input type="date" value={date} onChange={(e) => edit(setDate)(e.target.value)} data-testid="booking-date" />
      </label>
      <label className="field">
        <span>{t('appt.startTime')}</span>
        <input
          type="time"
          step={900}
          value={time}
          onChange={(e) => edit(setTime)(e.target.value)}
          data-testid="booking-time"
        />
      </label>
      {invalid && (
        <div className="status status-error form-error" role="alert">
          {invalid}
        </div>
      )}
      <ActionError error={action.error} />
      {done && (
        <div className="status status-ok" role="status" data-testid="booking-done">
          {t('appt.booked', { service: bookedName ?? '', time: zonedDayTime(done.starts_at, tz).time })}
        </div>
      )}
      <button className="btn btn-primary" type="submit" disabled={action.busy} data-testid="booking-submit">
        {t('appt.submit')}
      </button>
    </form>
  );
}
