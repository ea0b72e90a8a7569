import type { Profile } from '../../api';
import { formatDateTime, formatFen, formatPercent } from '../../format';
import { translateValue, useI18n } from '../../i18n';
import { href } from '../../router';

type Rfm = NonNullable<Profile['rfm']>;
type Clv = NonNullable<Profile['clv']>;
type TagWithSource = NonNullable<Profile['computed_tags']>[number];

/** How worrying a churn risk is: above 70 % danger, above 40 % a warning. */
const riskTone = (risk: number) => (risk > 0.7 ? 'danger' : risk > 0.4 ? 'warn' : 'ok');

/**
 * The person as marketing sees them: RFM segment and lifecycle stage (latest RFM run), predicted
 * value and churn risk (latest CLV run), and their computed tags. Sections the person has no
 * figures in say so.
 */
export function ProfileMarketing({ p }: { p: Profile }) {
  const { t, lang } = useI18n();
  const rfm: Rfm | null | undefined = p.rfm;
  const clv: Clv | null | undefined = p.clv;
  return (
    <div className="profile-marketing" data-testid="profile-marketing">
      <h3>{t('profileMkt.rfm')}</h3>
      {rfm ? (
        <dl className="facts facts-compact" data-testid="profile-rfm" data-segment={rfm.segment}>
          <div className="fact-pair">
            <dt>{t('rfm.segment')}</dt>
            <dd>
              <a href={href('marketing', 'rfm', rfm.segment)}>
                <strong data-testid="profile-rfm-segment">{translateValue(t, 'rfmSegment', rfm.segment)}</strong>
              </a>{' '}
              <span className="rfm-code" title={t('rfm.codeTitle', { r: rfm.r, f: rfm.f, m: rfm.m })}>
                R{rfm.r} F{rfm.f} M{rfm.m}
              </span>
            </dd>
          </div>
          <div className="fact-pair">
            <dt>{t('rfm.lifecycle')}</dt>
            <dd data-testid="profile-lifecycle" data-stage={rfm.lifecycle}>
              <span
                className={`badge badge-${rfm.lifecycle === 'lapsed' || rfm.lifecycle === 'at_risk' ? 'warn' : 'info'}`}
              >
                {translateValue(t, 'lifecycle', rfm.lifecycle)}
              </span>
            </dd>
          </div>
          <div className="fact-pair">
            <dt>{t('rfm.recencyDays')}</dt>
            <dd>{t('rfm.daysAgo', { days: rfm.recency_days })}</dd>
          </div>
          <div className="fact-pair">
            <dt>{t('profileMkt.window')}</dt>
            <dd>{t('profileMkt.ordersSpend', { orders: rfm.frequency, spend: formatFen(rfm.monetary) })}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted small" data-testid="profile-rfm-none">
          {t('profileMkt.noRfm')}
        </p>
      )}

      <h3>{t('profileMkt.clv')}</h3>
      {clv ? (
        <dl className="facts facts-compact" data-testid="profile-clv">
          <div className="fact-pair">
            <dt>{t('profileMkt.churnRisk')}</dt>
            <dd data-testid="profile-churn-risk" data-value={clv.churn_risk}>
              <span className={`badge badge-${riskTone(clv.churn_risk)}`}>{formatPercent(clv.churn_risk)}</span>
            </dd>
          </div>
          <div className="fact-pair">
            <dt>{t('profileMkt.expectedValue', { days: clv.horizon_days })}</dt>
            <dd data-testid="profile-expected-value" data-value={clv.expected_value}>
              <strong>{formatFen(clv.expected_value)}</strong>
            </dd>
          </div>
          <div className="fact-pair">
            <dt>{t('profileMkt.expectedOrders')}</dt>
            <dd>
              {t('profileMkt.ordersAvg', {
                orders: clv.expected_orders.toFixed(1),
                avg: formatFen(clv.expected_avg_value),
              })}
            </dd>
          </div>
        </dl>
      ) : (
        <p className="muted small" data-testid="profile-clv-none">
          {t('profileMkt.noClv')}
        </p>
      )}

      <h3>{t('profileMkt.tags')}</h3>
      <TagsWithSource tags={p.computed_tags ?? []} lang={lang} />
    </div>
  );
}

function TagsWithSource({ tags, lang }: { tags: TagWithSource[]; lang: 'zh-CN' | 'en' }) {
  const { t } = useI18n();
  if (tags.length === 0) return <p className="muted small">{t('profileMkt.noTags')}</p>;
  return (
    <div className="chips" data-testid="profile-tags-source">
      {tags.map((x) => (
        <span
          key={`${x.tag}-${x.source}`}
          className={'chip chip-tag' + (x.source === 'rule' ? ' chip-rule' : '')}
          title={x.since ? t('profileMkt.since', { at: formatDateTime(x.since, lang) }) : undefined}
          data-testid="profile-tag"
          data-source={x.source}
          data-tag={x.tag}
        >
          {x.tag}
          <span className="chip-source">
            {t(x.source === 'rule' ? 'profileMkt.sourceRule' : 'profileMkt.sourceManual')}
          </span>
        </span>
      ))}
    </div>
  );
}
