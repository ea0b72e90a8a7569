import { useState } from 'react';
import { useI18n, type MessageKey } from '../../i18n';
import { can, useMe } from '../../me';
import { CohortHeatmap } from './CohortHeatmap';
import { CustomersPanel } from './CustomersPanel';
import { RANGE_PRESETS, rangeOf, todayIn, type RangePreset } from './range';
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
        <div className="segmented" role="group">
          {RANGE_PRESETS.map((p) => (
            <button
              key={p}
              type="button"
              className={preset === p ? 'active' : undefined}
              aria-pressed={preset === p}
              data-testid={`cust-range-${p}`}
              onClick={() => setPreset(p)}
            >
              {t(`cust.range.${p}` as MessageKey)}
            </button>
          ))}
        </div>
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
