import { JourneysView } from '../components/journeys/JourneysView';
import { RfmView } from '../components/marketing/RfmView';
import { MessageLog } from '../components/messaging/MessageLog';
import { SavedView } from '../components/marketing/Saved';
import { PageHeader } from '../components/PageHeader';
import { Tabs } from '../components/Tabs';
import { useI18n } from '../i18n';
import { navigate } from '../router';

const TABS = ['segments', 'tags', 'rfm', 'journeys', 'messages'] as const;
type Tab = (typeof TABS)[number];

/** 营销: saved segments and computed tags (the rule builder with live size), RFM analysis, journeys. #/marketing/<tab>/<id>. */
export function Marketing({ params }: { params: string[] }) {
  const { t } = useI18n();
  const tab: Tab = (TABS as readonly string[]).includes(params[0] ?? '') ? (params[0] as Tab) : TABS[0];
  const selected = params[0] === tab ? (params[1] ?? null) : null;
  return (
    <div className="marketing">
      <PageHeader title={t('nav.marketing')} subtitle={t('marketing.subtitle')} />
      <Tabs
        value={tab}
        onChange={(v) => navigate('marketing', v)}
        tabs={TABS.map((id) => ({ id, label: t(`marketing.tab.${id}`) }))}
        testId="marketing-tabs"
      />
      {tab === 'segments' && <SavedView key="segments" kind="segment" selected={selected} />}
      {tab === 'tags' && <SavedView key="tags" kind="tag" selected={selected} />}
      {tab === 'rfm' && <RfmView segment={selected} />}
      {tab === 'journeys' && <JourneysView selected={selected} />}
      {tab === 'messages' && <MessageLog />}
    </div>
  );
}
