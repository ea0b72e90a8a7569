import { useState } from 'react';
import { useI18n } from '../../i18n';
import { can, useMe } from '../../me';
import { CohortHeatmap } from './CohortHeatmap';
import { CustomersPanel } from './CustomersPanel';
import { RangePresets } from './RangePresets';
import { rangeOf, todayIn, type RangePreset } from './range';
import { StoreLeague } from './StoreLeague';

/** The dashboard's customer and store panels over one range: new vs returning, cohorts, the store league table. */
export function CustomerAnalytics({ timezone }: { timezone: string }) {
  const { t } = useI18n();
  const me = useMe();
  const [preset, setPreset] = useState<RangePreset>('90d');
  const range = rangeOf(preset, todayIn(timezone));
  // Cohorts need months to mean something: at least the last 6.
  const cohorts = preset === '30d' || preset === '90d' ? rangeOf('6m', range.to) : range;
  return (
    <section data-testid="customer-analytics">
      <div className="filters">
        <RangePresets value={preset} onChange={setPreset} testId="cust-range" />
        <span className="muted small">{t('cust.rangeLabel', range)}</span>
      </div>
      {can(me, 'readCustomerAnalytics') && (
        <>
          <CustomersPanel from={range.from} to={range.to} />
          <CohortHeatmap from={cohorts.from} to={cohorts.to} />
        </>
      )}
      <StoreLeague from={range.from} to={range.to} />
    </section>
  );
}
