import { PageHeader, Panel } from './PageHeader';
import { useI18n } from '../i18n';
import { Icon } from './Icon';

/** Loyalty and Marketing: modules still being built. */
export function ComingSoon({ module }: { module: 'loyalty' | 'marketing' }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t(module === 'loyalty' ? 'nav.loyalty' : 'nav.marketing')} />
      <Panel className="coming-soon" testId="coming-soon">
        <div className="coming-soon-mark">
          <Icon name={module} size={28} />
        </div>
        <h2>{t('soon.title')}</h2>
        <p className="muted">{t(module === 'loyalty' ? 'soon.loyalty' : 'soon.marketing')}</p>
      </Panel>
    </>
  );
}
