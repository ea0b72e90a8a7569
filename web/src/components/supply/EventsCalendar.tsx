import { useState, type FormEvent } from 'react';
import { allOf, type RequestBody } from '../../contract';
import { useAction, useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import { can, useMe } from '../../me';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ProductName } from '../ProductName';
import { ActionError, Empty, ErrorMessage, Loading } from '../Status';
import type { ForecastEvent } from './ForecastChart';
import { ProductPicker } from './ProductPicker';
import './supply.css';

type EventBody = RequestBody<'/v1/forecast-events', 'post'>;
const KINDS = allOf<EventBody['kind']>()(['holiday', 'campaign', 'presale']);

interface Draft {
  name: string;
  kind: EventBody['kind'];
  starts_on: string;
  ends_on: string;
  uplift: string;
  sku: string;
  location_id: string;
}
const EMPTY: Draft = {
  name: '',
  kind: 'campaign',
  starts_on: '',
  ends_on: '',
  uplift: '1.5',
  sku: '',
  location_id: '',
};
const draftOf = (e: ForecastEvent): Draft => ({
  name: e.name,
  kind: e.kind,
  starts_on: e.starts_on,
  ends_on: e.ends_on,
  uplift: String(e.uplift),
  sku: e.sku ?? '',
  location_id: e.location_id ?? '',
});

/** The last weeks' events stay listed: they are in the history the forecasts were fitted on. */
const since = () => new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);

/**
 * 活动日历: the campaigns, pre-sales and holidays (618, 双11) the forecasts multiply in, with their
 * expected uplift; marketers and admins add, change and remove them.
 */
export function EventsCalendar() {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const { list, byId } = useLocations();
  const [from] = useState(since);
  const events = useResource<{ items: ForecastEvent[] }>('/v1/forecast-events', { from });
  const action = useAction();
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const editable = can(me, 'editForecastEvents');
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: EventBody = {
      name: draft.name.trim(),
      kind: draft.kind,
      starts_on: draft.starts_on,
      ends_on: draft.ends_on,
      uplift: Number(draft.uplift),
      sku: draft.sku.trim() || null,
      location_id: draft.location_id || null,
    };
    const done = await action.run(() =>
      editing
        ? api.put<ForecastEvent>(`/v1/forecast-events/${encodeURIComponent(editing)}`, body)
        : api.post<ForecastEvent>('/v1/forecast-events', body, { idempotencyKey: `event-${crypto.randomUUID()}` }),
    );
    if (done) {
      setEditing(null);
      setDraft(EMPTY);
      events.reload();
    }
  }
  async function remove(ev: ForecastEvent) {
    if (!window.confirm(t('cal.confirmDelete', { name: ev.name }))) return;
    const done = await action.run(async () => {
      await api.del(`/v1/forecast-events/${encodeURIComponent(ev.id)}`);
      return true;
    });
    if (done) events.reload();
  }

  return (
    <Panel title={t('cal.title')} hint={t('cal.hint')} testId="calendar">
      {events.error && <ErrorMessage error={events.error} onRetry={events.reload} />}
      {!events.data && events.loading && <Loading />}
      {events.data && events.data.items.length === 0 && <Empty />}
      {events.data && events.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="calendar-table">
            <thead>
              <tr>
                <th>{t('cal.name')}</th>
                <th>{t('cal.kind')}</th>
                <th>{t('cal.dates')}</th>
                <th className="num">{t('cal.uplift')}</th>
                <th>{t('cal.products')}</th>
                <th>{t('cal.stores')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {events.data.items.map((ev) => (
                <tr key={ev.id} data-testid="calendar-row" className={ev.id === editing ? 'selected' : ''}>
                  <td>{ev.name}</td>
                  <td>{translateValue(t, 'cal.kind', ev.kind)}</td>
                  <td className="nowrap">
                    {ev.starts_on === ev.ends_on ? ev.starts_on : `${ev.starts_on} – ${ev.ends_on}`}
                  </td>
                  <td className="num">×{ev.uplift}</td>
                  <td>{ev.sku ? <ProductName sku={ev.sku} /> : t('cal.allProducts')}</td>
                  <td>{ev.location_id ? locationLabel(byId, ev.location_id, lang) : t('cal.allStores')}</td>
                  <td className="nowrap">
                    {editable && (
                      <>
                        <button
                          className="btn btn-small"
                          onClick={() => {
                            setEditing(ev.id);
                            setDraft(draftOf(ev));
                          }}
                          data-testid="calendar-edit"
                        >
                          {t('cal.edit')}
                        </button>{' '}
                        <button
                          className="btn btn-small btn-danger"
                          disabled={action.busy}
                          onClick={() => void remove(ev)}
                          data-testid="calendar-delete"
                        >
                          {t('cal.delete')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editable && (
        <form className="form-grid supply-form" onSubmit={submit} noValidate data-testid="calendar-form">
          <label className="field">
            <span>{t('cal.name')}</span>
            <input value={draft.name} onChange={set('name')} required data-testid="calendar-name" />
          </label>
          <label className="field">
            <span>{t('cal.kind')}</span>
            <select value={draft.kind} onChange={set('kind')} data-testid="calendar-kind">
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`cal.kind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('cal.startsOn')}</span>
            <input type="date" value={draft.starts_on} onChange={set('starts_on')} data-testid="calendar-starts" />
          </label>
          <label className="field">
            <span>{t('cal.endsOn')}</span>
            <input type="date" value={draft.ends_on} onChange={set('ends_on')} data-testid="calendar-ends" />
          </label>
          <label className="field">
            <span>{t('cal.upliftField')}</span>
            <input
              type="number"
              min={0.1}
              step={0.1}
              value={draft.uplift}
              onChange={set('uplift')}
              data-testid="calendar-uplift"
            />
          </label>
          {draft.sku ? (
            <div className="field">
              <span>{t('cal.skuField')}</span>
              <div className="chips">
                <span className="chip" data-testid="calendar-product">
                  <ProductName sku={draft.sku} />
                  <button
                    type="button"
                    className="btn btn-link btn-small"
                    aria-label={t('cs.remove', { name: draft.sku })}
                    onClick={() => setDraft({ ...draft, sku: '' })}
                  >
                    ×
                  </button>
                </span>
              </div>
            </div>
          ) : (
            <ProductPicker
              label={t('cal.skuField')}
              testId="calendar-product"
              onPick={(p) => setDraft({ ...draft, sku: p.sku })}
            />
          )}
          <label className="field">
            <span>{t('cal.stores')}</span>
            <select value={draft.location_id} onChange={set('location_id')} data-testid="calendar-location">
              <option value="">{t('cal.allStores')}</option>
              {list
                .filter((l) => l.type !== 'dc')
                .map((l) => (
                  <option key={l.id} value={l.id}>
                    {locationLabel(byId, l.id, lang)}
                  </option>
                ))}
            </select>
          </label>
          <div className="form-buttons">
            <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="calendar-submit">
              {editing ? t('cal.save') : t('cal.add')}
            </button>
            {editing && (
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setEditing(null);
                  setDraft(EMPTY);
                }}
              >
                {t('supply.cancel')}
              </button>
            )}
          </div>
          <ActionError error={action.error} testId="calendar-error" />
        </form>
      )}
    </Panel>
  );
}
