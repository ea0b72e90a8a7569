import { formatInt, formatPercent } from '../../format';
import { useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { triggerKind, type Journey, type JourneyReport } from '../../journeys';
import { href } from '../../router';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import { StateBadge } from './StateBadge';

/** One row: the journey and its headline figures from its report. */
function JourneyRow({ j }: { j: Journey }) {
  const { t } = useI18n();
  const report = useResource<JourneyReport>(`/v1/journeys/${encodeURIComponent(j.id)}/report`);
  const r = report.data;
  return (
    <tr data-testid="journey-row" data-journey={j.id} data-state={j.state}>
      <td>
        <a href={href('marketing', 'journeys', j.id)} data-testid="journey-link">
          {j.name}
        </a>
      </td>
      <td>{t(`journeys.trigger.${triggerKind(j.trigger)}`)}</td>
      <td>
        <StateBadge state={j.state} />
      </td>
      <td className="num" data-testid="journey-row-entered">
        {r ? formatInt(r.entered) : '…'}
      </td>
      <td className="num">
        {!r ? '…' : r.goal ? `${formatInt(r.goal.treated.converted)} (${formatPercent(r.goal.treated.rate)})` : '—'}
      </td>
      <td className="num">{r?.goal?.uplift == null ? '—' : formatPercent(r.goal.uplift)}</td>
    </tr>
  );
}

/** Every journey with its state and headline figures: entered, converted (treated), uplift. */
export function JourneyList() {
  const { t } = useI18n();
  const list = useResource<{ items: Journey[] }>('/v1/journeys');
  return (
    <Panel
      title={t('journeys.title')}
      hint={t('journeys.hint')}
      actions={
        <a className="btn btn-primary" href={href('marketing', 'journeys', 'new')} data-testid="journey-new">
          {t('journeys.new')}
        </a>
      }
      testId="journey-list"
    >
      {list.error ? (
        <ErrorMessage error={list.error} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <p className="muted" data-testid="journey-list-empty">
          {t('journeys.empty')}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="journey-table">
            <thead>
              <tr>
                <th>{t('journeys.col.name')}</th>
                <th>{t('journeys.col.trigger')}</th>
                <th>{t('journeys.col.state')}</th>
                <th className="num">{t('journeys.col.entered')}</th>
                <th className="num">{t('journeys.col.converted')}</th>
                <th className="num">{t('journeys.col.uplift')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((j) => (
                <JourneyRow key={j.id} j={j} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
