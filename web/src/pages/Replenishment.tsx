import { useState } from 'react';
import { PageHeader } from '../components/PageHeader';
import { CampaignStockUp } from '../components/supply/CampaignStockUp';
import { EventsCalendar } from '../components/supply/EventsCalendar';
import { ForecastView } from '../components/supply/ForecastView';
import { RebalancePanel } from '../components/supply/RebalancePanel';
import { SuggestionsPanel } from '../components/supply/SuggestionsPanel';
import { TransfersPanel } from '../components/supply/TransfersPanel';
import { Tabs } from '../components/Tabs';
import { useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { boundLocation, can, useMe } from '../me';
import { navigate, useRoute } from '../router';

const VIEWS = ['suggestions', 'rebalance', 'campaign', 'calendar'] as const;
type View = (typeof VIEWS)[number];

/**
 * 补货调拨, #/replenishment/<location id>/<view>: a store's (or DC's) suggested orders and its
 * transfers; store-to-store transfer suggestions; stocking up for a campaign; the events calendar
 * the forecasts use. A product's name opens its forecast: #/replenishment/<location>/forecast/<sku>.
 */
export function Replenishment({ selected }: { selected: string | null }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const { params } = useRoute();
  const { list, byId } = useLocations();
  const staffAt = boundLocation(me);
  const locationId = staffAt ?? selected ?? list.find((l) => l.type === 'store')?.id ?? null;
  // a transfer made or moved on one panel changes the others' figures
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const tabs = VIEWS.filter((v) => v !== 'campaign' || can(me, 'planCampaign'));
  const view: View | 'forecast' =
    params[1] === 'forecast' && params[2] ? 'forecast' : (tabs.find((v) => v === params[1]) ?? 'suggestions');
  const go = (loc: string, v: string, ...rest: string[]) => navigate('replenishment', loc, v, ...rest);

  return (
    <div data-testid="replenishment">
      <PageHeader
        title={t('supply.title')}
        actions={
          !staffAt && (
            <label className="inline">
              {t('supply.location')}{' '}
              <select
                value={locationId ?? ''}
                onChange={(e) => go(e.target.value, view, ...(view === 'forecast' ? [params[2]] : []))}
                data-testid="supply-location"
              >
                {list.map((l) => (
                  <option key={l.id} value={l.id}>
                    {locationLabel(byId, l.id, lang)}
                  </option>
                ))}
              </select>
            </label>
          )
        }
      />
      <Tabs
        value={view === 'forecast' ? 'suggestions' : view}
        onChange={(v) => locationId && go(locationId, v)}
        tabs={tabs.map((v) => ({ id: v, label: t(`supply.tab.${v}`) }))}
        testId="supply-tabs"
      />
      {view === 'forecast' && <ForecastView key={params[2]} sku={params[2]} locationId={locationId} />}
      {view === 'suggestions' && locationId && (
        <SuggestionsPanel locationId={locationId} version={version} onAccepted={changed} />
      )}
      {view === 'rebalance' && locationId && (
        <RebalancePanel locationId={locationId} version={version} onAccepted={changed} />
      )}
      {view === 'campaign' && <CampaignStockUp />}
      {view === 'calendar' && <EventsCalendar />}
      {(view === 'suggestions' || view === 'rebalance') && locationId && (
        <TransfersPanel locationId={locationId} version={version} onStep={changed} />
      )}
    </div>
  );
}
