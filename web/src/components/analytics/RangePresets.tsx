import { useI18n, type MessageKey } from '../../i18n';
import { RANGE_PRESETS, type RangePreset } from './range';

/** The 30 days / 90 days / 6 months / 12 months buttons (testId: prefix of each button's id). */
export function RangePresets({
  value,
  onChange,
  testId,
}: {
  value: RangePreset;
  onChange: (p: RangePreset) => void;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <div className="segmented" role="group">
      {RANGE_PRESETS.map((p) => (
        <button
          key={p}
          type="button"
          className={value === p ? 'active' : undefined}
          aria-pressed={value === p}
          data-testid={`${testId}-${p}`}
          onClick={() => onChange(p)}
        >
          {t(`cust.range.${p}` as MessageKey)}
        </button>
      ))}
    </div>
  );
}
