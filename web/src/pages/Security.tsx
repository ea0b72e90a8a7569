import { PageHeader } from '../components/PageHeader';
import { BulkAccessMode } from '../components/security/BulkAccessMode';
import { SecurityAlerts } from '../components/security/SecurityAlerts';
import { TraitDeclarations } from '../components/security/TraitDeclarations';
import { useI18n } from '../i18n';

/** The security page (admins): open alerts to clear, the bulk-access mode, and customer trait declarations. */
export function Security() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('security.title')} subtitle={t('security.subtitle')} />
      <SecurityAlerts />
      <BulkAccessMode />
      <TraitDeclarations />
    </>
  );
}
