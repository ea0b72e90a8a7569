import { useState } from 'react';
import { BookingForm } from '../components/appointments/BookingForm';
import { ServicesEditor } from '../components/appointments/ServicesEditor';
import { plusDays, zonedDayTime } from '../components/appointments/zoned';
import { todayIn } from '../components/analytics/range';
import { PageHeader, Panel } from '../components/PageHeader';
import { ActionError, ErrorMessage, Loading } from '../components/Status';
import type { Answer } from '../contract';
import { localName } from '../format';
import { useAction, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { useLocations } from '../locations';
import { href } from '../router';
import { useApi } from '../session';
import '../components/appointments/appointments.css';

type Calendar = Answer<'/v1/locations/{id}/appointments'>;
type Entry = Calendar['items'][number];
type Services = Answer<'/v1/locations/{id}/services'>;
const TONE: Record<string, string> = { booked: 'info', completed: 'ok', cancelled: 'muted' };

/** One appointment's row of the day view: time, service, customer (masked), status, complete or cancel. */
function DayRow({ a, tz, onChanged }: { a: Entry; tz: string; onChanged: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const act = async (what: 'complete' | 'cancel') => {
    if (await action.run(() => api.post(`/v1/appointments/${encodeURIComponent(a.id)}/${what}`, {}))) onChanged();
  };
  return (
    <tr data-testid={`appt-${a.id}`} data-status={a.status}>
      <td className="num">
        {zonedDayTime(a.starts_at, tz).time}–{zonedDayTime(a.ends_at, tz).time}
      </td>
      <td>{a.service_name}</td>
      <td>{a.customer_name ?? t('common.none')}</td>
      <td>
        <span className={`badge badge-${TONE[a.status]}`} data-testid="appt-status">
          {translateValue(t, 'appt.status', a.status)}
        </span>
      </td>
      <td>
        {a.status === 'booked' && (
          <span className="actions">
            <button
              className="btn btn-small"
              disabled={action.busy}
              onClick={() => act('complete')}
              data-testid="appt-complete"
            >
              {t('appt.complete')}
            </button>
            <button
              className="btn btn-small"
              disabled={action.busy}
              onClick={() => act('cancel')}
              data-testid="appt-cancel"
            >
              {t('appt.cancel')}
            </button>
          </span>
        )}
        <ActionError error={action.error} />
      </td>
    </tr>
  );
}

/** The week view: seven columns of the day's appointments (time and service). */
function Week({ from, items, tz }: { from: string; items: Entry[]; tz: string }) {
  const days = Array.from({ length: 7 }, (_, i) => plusDays(from, i));
  return (
    <div className="appt-week" data-testid="appt-week">
      {days.map((d) => (
        <div key={d} className="appt-week-day">
          <h4>{d.slice(5)}</h4>
          {items
            .filter((a) => zonedDayTime(a.starts_at, tz).day === d)
            .map((a) => (
              <div key={a.id} className={`appt-chip appt-chip-${a.status}`} title={a.customer_name ?? ''}>
                <strong>{zonedDayTime(a.starts_at, tz).time}</strong> {a.service_name}
              </div>
            ))}
        </div>
      ))}
    </div>
  );
}

/** 服务预约: a store's appointment calendar (day or week) and booking form. #/stores/<id>/appointments. */
export function StoreAppointments({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const tz = useResource<{ timezone: string }>('/v1/analytics/dashboard').data?.timezone;
  const zone = tz ?? 'Asia/Shanghai';
  const [from, setFrom] = useState(() => todayIn(zone));
  const [days, setDays] = useState<1 | 7>(1);
  const path = `/v1/locations/${encodeURIComponent(id)}`;
  const cal = useResource<Calendar>(tz ? `${path}/appointments` : null, { from, days });
  const services = useResource<Services>(`${path}/services`);
  const store = byId.get(id);
  const name = store ? localName(store.name, lang) : id;
  return (
    <>
      <PageHeader
        title={t('appt.title', { name })}
        subtitle={days === 1 ? from : `${from} – ${plusDays(from, 6)}`}
        actions={
          <a className="btn" href={href('stores', id)}>
            {t('score.back')}
          </a>
        }
      />
      <div className="filters">
        <div className="segmented" role="group">
          {([1, 7] as const).map((n) => (
            <button
              key={n}
              className={days === n ? 'active' : ''}
              onClick={() => setDays(n)}
              data-testid={`appt-view-${n}`}
            >
              {t(n === 1 ? 'appt.day' : 'appt.week')}
            </button>
          ))}
        </div>
        <button className="btn" onClick={() => setFrom(plusDays(from, -days))} data-testid="appt-prev">
          {t('appt.prev')}
        </button>
        <button className="btn" onClick={() => setFrom(todayIn(zone))}>
          {t('appt.today')}
        </button>
        <button className="btn" onClick={() => setFrom(plusDays(from, days))} data-testid="appt-next">
          {t('appt.next')}
        </button>
      </div>
      <div className="appt-layout">
        <Panel>
          {cal.error && <ErrorMessage error={cal.error} onRetry={cal.reload} />}
          {!cal.data && !cal.error && <Loading />}
          {cal.data && cal.data.items.length === 0 && <p className="muted">{t('appt.none')}</p>}
          {cal.data && cal.data.items.length > 0 && days === 7 && <Week from={from} items={cal.data.items} tz={zone} />}
          {cal.data && cal.data.items.length > 0 && days === 1 && (
            <div className="table-wrap">
              <table className="table" data-testid="appt-day">
                <thead>
                  <tr>
                    <th className="num">{t('appt.time')}</th>
                    <th>{t('appt.service')}</th>
                    <th>{t('appt.customer')}</th>
                    <th>{t('appt.status')}</th>
                    <th>{t('appt.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {cal.data.items.map((a) => (
                    <DayRow key={a.id} a={a} tz={zone} onChanged={cal.reload} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Panel>
        <Panel>
          {services.error && <ErrorMessage error={services.error} onRetry={services.reload} />}
          {services.data && (
            <>
              <BookingForm
                key={services.data.services.map((s) => s.code).join()}
                location={id}
                services={services.data.services}
                day={from}
                tz={zone}
                onBooked={(a) => {
                  setFrom(zonedDayTime(a.starts_at, zone).day);
                  setDays(1);
                  cal.reload();
                }}
              />
              <ServicesEditor location={id} services={services.data.services} onSaved={services.reload} />
            </>
          )}
        </Panel>
      </div>
    </>
  );
}
