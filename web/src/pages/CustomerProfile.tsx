import { lazy, Suspense, useState } from 'react';
import type { Profile } from '../api';
import { ChannelBadge } from '../components/Badges';
import { ConsentsPanel } from '../components/ConsentsPanel';
import { KindBadge, traitValue } from '../components/CustomerBits';
import { CustomerStats } from '../components/CustomerStats';
import { CustomerTimeline } from '../components/CustomerTimeline';
import { EraseDialog, type Erasure } from '../components/EraseCustomer';
import { IdentitiesTable } from '../components/IdentitiesTable';
import { ProfileMarketing } from '../components/marketing/ProfileMarketing';
import { MergeHistory } from '../components/MergeHistory';
import { PageHeader, Panel } from '../components/PageHeader';
import { ErrorMessage, Loading } from '../components/Status';
import { TagEditor } from '../components/TagEditor';
import { formatDateTime } from '../format';
import { useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { useLocations } from '../locations';
import { can, useMe } from '../me';
import { href } from '../router';

const WalletPanel = lazy(() => import('../components/loyalty/WalletPanel').then((m) => ({ default: m.WalletPanel })));

function Traits({ traits }: { traits: Record<string, unknown> }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const entries = Object.entries(traits);
  if (entries.length === 0) return <p className="muted small">{t('profile.noTraits')}</p>;
  return (
    <dl className="facts facts-compact" data-testid="traits">
      {entries.map(([k, v]) => (
        <div key={k} className="fact-pair">
          <dt>{translateValue(t, 'trait', k)}</dt>
          <dd>{traitValue(t, lang, byId, k, v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The name the profile's traits carry as the viewer may see it (masked for support and store staff), or null. */
function personName(traits: Record<string, unknown>): string | null {
  if (typeof traits.name === 'string' && traits.name !== '') return traits.name;
  const parts = [traits.last_name, traits.first_name].filter((v): v is string => typeof v === 'string' && v !== '');
  return parts.length ? parts.join('') : null;
}

function Header({ p, onErase }: { p: Profile; onErase: () => void }) {
  const { t, lang } = useI18n();
  const me = useMe();
  return (
    <Panel className="profile-head" testId="profile-head">
      {p.merged_into && p.requested_id && (
        <div className="status status-info" role="status" data-testid="merged-notice">
          <span>
            <code className="mono">{p.requested_id}</code> {t('profile.mergedInto')}{' '}
            <a className="mono" href={href('customers', p.merged_into)}>
              {p.merged_into}
            </a>
            {t('profile.mergedShown')}
          </span>
        </div>
      )}
      <div className="profile-title">
        <div className="avatar" aria-hidden="true">
          {p.kind === 'known' ? '客' : '?'}
        </div>
        <div className="profile-id">
          <h2 className="profile-name" data-testid="profile-name">
            {personName(p.traits) ?? t('lists.noName')}
          </h2>
          <KindBadge kind={p.kind} />
          <code className="mono small muted" data-testid="profile-id">
            {p.id}
          </code>
        </div>
        <div className="profile-actions">
          {can(me, 'readAudit') && (
            <a className="btn btn-small" href={href('audit', p.id)} data-testid="profile-audit">
              {t('profile.auditTrail')}
            </a>
          )}
          {can(me, 'erase') && (
            <button type="button" className="btn btn-small btn-danger" onClick={onErase} data-testid="erase-open">
              {t('profile.erase')}
            </button>
          )}
        </div>
      </div>
      <dl className="facts facts-inline">
        <div className="fact-pair">
          <dt>{t('customers.createdAt')}</dt>
          <dd data-testid="profile-created">{formatDateTime(p.created_at, lang)}</dd>
        </div>
        <div className="fact-pair">
          <dt>{t('customers.firstChannel')}</dt>
          <dd data-testid="profile-first-channel">
            <ChannelBadge channel={p.first_channel} />
          </dd>
        </div>
        {p.members.length > 1 && (
          <div className="fact-pair">
            <dt>{t('profile.members')}</dt>
            <dd className="mono small" data-testid="profile-members">
              {p.members.filter((m) => m !== p.id).join(', ')}
            </dd>
          </div>
        )}
      </dl>
    </Panel>
  );
}

/** The 360° profile of one person: who they are, what they bought where, and everything they did, in one place. */
export function CustomerProfile({ id }: { id: string }) {
  const { t } = useI18n();
  const me = useMe();
  const path = `/v1/customers/${encodeURIComponent(id)}`;
  const { data: p, error, loading, reload } = useResource<Profile>(path);
  // Bumped after a write that adds to the timeline (a merge undone, a consent recorded)…
  const [version, setVersion] = useState(0);
  // …and after one that changes who belongs to the person (an unmerge), which changes their consents too.
  const [group, setGroup] = useState(0);
  const [erasing, setErasing] = useState(false);
  const [erased, setErased] = useState<Erasure | null>(null);
  const unmerged = () => {
    setVersion((v) => v + 1);
    setGroup((g) => g + 1);
    reload();
  };

  const back = (
    <a className="btn" href={href('customers')} data-testid="profile-back">
      {t('profile.back')}
    </a>
  );

  if (erased) {
    return (
      <>
        <PageHeader title={t('profile.title')} actions={back} />
        <Panel testId="erased">
          <div className="status status-ok" role="status">
            {t('profile.erased', { id, erasure: erased.erasure_id })}
          </div>
        </Panel>
      </>
    );
  }

  return (
    <>
      <PageHeader title={t('profile.title')} subtitle={t('profile.subtitle')} actions={back} />
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!p && loading && <Loading />}
      {p && (
        <div className="profile" data-testid="customer-profile" data-customer={p.id}>
          <Header p={p} onErase={() => setErasing(true)} />
          <div className="profile-grid">
            <div className="profile-main">
              <Panel title={t('profile.stats')} testId="profile-stats">
                <CustomerStats stats={p.stats} />
              </Panel>
              {can(me, 'readWallet') && (
                <Panel title={t('wallet.title')} hint={t('wallet.hint')} testId="profile-wallet">
                  <Suspense fallback={<Loading />}>
                    <WalletPanel key={`${p.id}-${group}`} customerId={p.id} />
                  </Suspense>
                </Panel>
              )}
              <Panel title={t('timeline.title')} hint={t('timeline.hint')} testId="profile-timeline">
                <CustomerTimeline key={`${p.id}-${version}`} customerId={p.id} />
              </Panel>
            </div>
            <div className="profile-side">
              <Panel title={t('profileMkt.title')} hint={t('profileMkt.hint')} testId="profile-marketing-panel">
                <ProfileMarketing p={p} />
              </Panel>
              <Panel title={t('profile.identities')} testId="profile-identities">
                <IdentitiesTable key={p.id} customerId={p.id} identifiers={p.identifiers} />
              </Panel>
              <Panel title={t('profile.traitsAndTags')} testId="profile-traits">
                <Traits traits={p.traits} />
                <h3>{t('customers.tags')}</h3>
                <TagEditor customerId={p.id} tags={p.tags} onChanged={reload} />
              </Panel>
              <Panel title={t('profile.consents')} testId="profile-consents">
                <ConsentsPanel key={`${p.id}-${group}`} customerId={p.id} onChanged={() => setVersion((v) => v + 1)} />
              </Panel>
              <Panel title={t('profile.merges')} hint={t('profile.mergesHint')} testId="profile-merges">
                <MergeHistory customerId={p.id} merges={p.merges} onChanged={unmerged} />
              </Panel>
            </div>
          </div>
          {erasing && (
            <EraseDialog
              customerId={p.id}
              onClose={() => setErasing(false)}
              onErased={(e) => {
                setErasing(false);
                setErased(e);
              }}
            />
          )}
        </div>
      )}
    </>
  );
}
