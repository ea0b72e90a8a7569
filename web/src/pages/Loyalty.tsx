import { useState } from 'react';
import { LoyaltyRulesForm } from '../components/loyalty/LoyaltyRulesForm';
import { TemplateDetail } from '../components/loyalty/TemplateDetail';
import { TemplateForm } from '../components/loyalty/TemplateForm';
import { TemplateList } from '../components/loyalty/TemplateList';
import { TierRules } from '../components/loyalty/TierRules';
import { PageHeader, Panel } from '../components/PageHeader';
import { Tabs } from '../components/Tabs';
import { usePagedList } from '../hooks';
import { useI18n } from '../i18n';
import type { CouponTemplate } from '../loyalty';
import { can, useMe } from '../me';
import { navigate } from '../router';

const TABS = ['coupons', 'tiers', 'rules'] as const;
type Tab = (typeof TABS)[number];

/** Coupon templates with the create form and one template's detail beside the list. */
function Coupons({ selected }: { selected: string | null }) {
  const { t } = useI18n();
  const me = useMe();
  const list = usePagedList<CouponTemplate>('/v1/coupon-templates');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CouponTemplate | null>(null);
  // Refresh loads the selected template's figures again too.
  const [version, setVersion] = useState(0);
  return (
    <>
      {created && (
        <div className="status status-ok" role="status" data-testid="template-created" data-template={created.id}>
          {t('loyalty.form.created', { name: created.name })}
        </div>
      )}
      {creating && (
        <Panel title={t('loyalty.form.title')} hint={t('loyalty.form.hint')} testId="template-form-panel">
          <TemplateForm
            onCancel={() => setCreating(false)}
            onCreated={(tpl) => {
              setCreating(false);
              setCreated(tpl);
              list.reload();
              navigate('loyalty', 'coupons', tpl.id);
            }}
          />
        </Panel>
      )}
      <div className={'master-detail' + (selected ? ' has-detail' : '')}>
        <Panel
          title={t('loyalty.templates')}
          hint={t('loyalty.templatesHint')}
          testId="templates-panel"
          actions={
            <div className="page-actions">
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  list.reload();
                  setVersion((v) => v + 1);
                }}
                disabled={list.loading}
                data-testid="templates-refresh"
              >
                {t('common.refresh')}
              </button>
              {can(me, 'manageCoupons') && !creating && (
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  onClick={() => {
                    setCreating(true);
                    setCreated(null);
                  }}
                  data-testid="template-new"
                >
                  {t('loyalty.form.open')}
                </button>
              )}
            </div>
          }
        >
          <TemplateList list={list} selected={selected} onSelect={(id) => navigate('loyalty', 'coupons', id)} />
        </Panel>
        {selected && (
          <div className="detail">
            <TemplateDetail key={`${selected}-${version}`} id={selected} onChanged={list.reload} />
          </div>
        )}
      </div>
    </>
  );
}

/** 会员积分: coupon templates, member tiers and the rules of points. #/loyalty/<tab>/<template id>. */
export function Loyalty({ params }: { params: string[] }) {
  const { t } = useI18n();
  const tab: Tab = (TABS as readonly string[]).includes(params[0] ?? '') ? (params[0] as Tab) : 'coupons';
  const selected = tab === 'coupons' ? (params[1] ?? null) : null;
  return (
    <div className="loyalty">
      <PageHeader title={t('nav.loyalty')} subtitle={t('loyalty.subtitle')} />
      <Tabs
        value={tab}
        onChange={(v) => navigate('loyalty', v)}
        tabs={TABS.map((id) => ({ id, label: t(`loyalty.tab.${id}`) }))}
        testId="loyalty-tabs"
      />
      {tab === 'coupons' && <Coupons selected={selected} />}
      {tab === 'tiers' && <TierRules />}
      {tab === 'rules' && <LoyaltyRulesForm />}
    </div>
  );
}
