import { useI18n } from '../../i18n';
import type { JourneyState } from '../../journeys';

const TONE: Record<JourneyState, string> = { draft: 'muted', active: 'ok', paused: 'warn', archived: 'muted' };

export function StateBadge({ state }: { state: JourneyState }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-${TONE[state]}`} data-testid="journey-state" data-state={state}>
      {t(`journeys.state.${state}`)}
    </span>
  );
}
