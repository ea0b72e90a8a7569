import { useAction, useInterval, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import type { Journey, JourneyReport as Report } from '../../journeys';
import type { CouponTemplate } from '../../loyalty';
import { navigate } from '../../router';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, ErrorMessage, Loading } from '../Status';
import { Builder } from './builder-context';
import { JourneyReport } from './JourneyReport';
import { MessageLog } from './MessageLog';
import { StateBadge } from './StateBadge';
import { StepList } from './StepList';
import { TriggerFields } from './TriggerFields';

/** One journey: its state and actions (activate, pause, archive), its report (refreshed every 5 s), its definition. */
export function JourneyDetail({ id }: { id: string }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const path = `/v1/journeys/${encodeURIComponent(id)}`;
  const journey = useResource<Journey>(path);
  const report = useResource<Report>(`${path}/report`);
  const coupons = useResource<{ items: CouponTemplate[] }>('/v1/coupon-templates', { limit: 200 });
  useInterval(report.reload, 5000);
  async function act(verb: 'activate' | 'pause' | 'archive') {
    if (await action.run(() => api.post(`${path}/${verb}`, {}))) {
      journey.reload();
      report.reload();
    }
  }
  if (journey.error) return <ErrorMessage error={journey.error} />;
  if (!journey.data) return <Loading />;
  const j = journey.data;
  const can = {
    activate: j.state === 'draft' || j.state === 'paused',
    pause: j.state === 'active',
    archive: j.state !== 'archived',
  };
  return (
    <div data-testid="journey-detail" data-state={j.state}>
      <Panel
        title={
          <>
            {j.name} <StateBadge state={j.state} />
          </>
        }
        actions={
          <div className="row-actions">
            {(['activate', 'pause', 'archive'] as const)
              .filter((v) => can[v])
              .map((v) => (
                <button
                  key={v}
                  type="button"
                  className={'btn' + (v === 'activate' ? ' btn-primary' : '')}
                  onClick={() => act(v)}
                  disabled={action.busy}
                  data-testid={`journey-${v}`}
                >
                  {t(`journeys.${v}`)}
                </button>
              ))}
            <button type="button" className="btn" onClick={() => navigate('marketing', 'journeys')}>
              {t('journeys.back')}
            </button>
          </div>
        }
        testId="journey-head"
      >
        <ActionError error={action.error} testId="journey-action-error" />
        {report.error ? (
          <ErrorMessage error={report.error} />
        ) : report.data ? (
          <JourneyReport report={report.data} steps={j.steps} />
        ) : (
          <Loading />
        )}
      </Panel>
      <Panel title={t('journeys.log')} testId="journey-messages-panel">
        <MessageLog journey={j.id} version={JSON.stringify(report.data?.messages ?? null)} />
      </Panel>
      <Panel title={t('journeys.definition')} testId="journey-definition">
        <fieldset disabled className="journey-readonly">
          <Builder.Provider value={{ coupons: coupons.data?.items ?? [], taken: new Set() }}>
            <TriggerFields trigger={j.trigger} onChange={() => undefined} />
            <StepList steps={j.steps} onChange={() => undefined} testId="journey-definition-steps" />
          </Builder.Provider>
        </fieldset>
      </Panel>
    </div>
  );
}
