import { useState } from 'react';
import { ApiError, type Product } from '../../api';
import { formatInt } from '../../format';
import { useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import { boundLocation, useMe } from '../../me';
import { href } from '../../router';
import { KpiCard } from '../KpiCard';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import { ForecastChart, type Forecast, type ForecastEvent } from './ForecastChart';
import './supply.css';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * One SKU's forecast (#/replenishment/<location>/forecast/<sku>): at the page's store or for the
 * whole chain, the chart, what the coming week and four weeks should sell, and how it was made.
 */
export function ForecastView({ sku, locationId }: { sku: string; locationId: string | null }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const { byId } = useLocations();
  const staff = boundLocation(me) !== null;
  const isStore = locationId !== null && byId.get(locationId)?.type !== 'dc';
  const [scope, setScope] = useState<'store' | 'chain'>(isStore || staff ? 'store' : 'chain');
  const atStore = scope === 'store' && locationId !== null;
  const product = useResource<Product>(`/v1/products/${encodeURIComponent(sku)}`);
  const forecast = useResource<Forecast>('/v1/forecasts', { sku, location_id: atStore ? locationId : undefined });
  const events = useResource<{ items: ForecastEvent[] }>('/v1/forecast-events', { sku });
  const f = forecast.data;
  const where = f?.location_id ?? null;
  const relevant = (events.data?.items ?? []).filter((e) => e.location_id === null || e.location_id === where);
  const none = forecast.error instanceof ApiError && forecast.error.status === 404;

  return (
    <Panel
      title={
        <>
          {product.data?.name ?? sku} <span className="mono muted small">{sku}</span>
        </>
      }
      hint={t('fc.hint')}
      testId="forecast-view"
      actions={
        <>
          {!staff && (
            <select
              value={scope}
              onChange={(e) => setScope(e.target.value as 'store' | 'chain')}
              aria-label={t('fc.scope')}
              data-testid="forecast-scope"
            >
              {locationId && <option value="store">{locationLabel(byId, locationId, lang)}</option>}
              <option value="chain">{t('fc.chain')}</option>
            </select>
          )}
          <a className="btn btn-small" href={href('replenishment', ...(locationId ? [locationId] : []))}>
            {t('fc.back')}
          </a>
        </>
      }
    >
      {none && (
        <p className="muted" data-testid="forecast-none">
          {t('fc.none')}
        </p>
      )}
      {forecast.error && !none && <ErrorMessage error={forecast.error} onRetry={forecast.reload} />}
      {!f && forecast.loading && <Loading />}
      {f && (
        <>
          <div className="forecast-kpis">
            <KpiCard
              label={t('fc.next7')}
              value={formatInt(Math.round(sum(f.forecast.slice(0, 7).map((d) => d.mean))))}
              note={t('fc.next7Note', {
                lo: formatInt(Math.round(sum(f.forecast.slice(0, 7).map((d) => d.lo)))),
                hi: formatInt(Math.round(sum(f.forecast.slice(0, 7).map((d) => d.hi)))),
              })}
              testId="forecast-next7"
              accent
            />
            <KpiCard
              label={t('fc.horizon', { days: f.forecast.length })}
              value={formatInt(Math.round(sum(f.forecast.map((d) => d.mean))))}
              testId="forecast-horizon"
            />
            <KpiCard
              label={t('fc.last28')}
              value={formatInt(sum(f.history.slice(-28).map((d) => d.units)))}
              testId="forecast-last28"
            />
            <KpiCard
              label={t('fc.model')}
              value={translateValue(t, 'fc.model', f.model)}
              note={t('fc.historyEnd', { day: f.history_end })}
              testId="forecast-model"
            />
          </div>
          <ForecastChart forecast={f} events={relevant} />
        </>
      )}
    </Panel>
  );
}
