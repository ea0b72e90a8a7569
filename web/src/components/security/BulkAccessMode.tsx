import { BULK_ACCESS_MODES, type BulkAccessMode as Mode, type SecuritySettings } from '../../api';
import { useAction, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, ErrorMessage, Loading } from '../Status';

/** What happens beyond the bulk personal-data read limit: alert only, or also block the key (audited). */
export function BulkAccessMode() {
  const { t } = useI18n();
  const api = useApi();
  const settings = useResource<SecuritySettings>('/v1/security/settings');
  const saving = useAction();
  const current = settings.data?.bulk_access_mode;

  async function choose(mode: Mode) {
    if (mode === current) return;
    const saved = await saving.run(() =>
      api.put<SecuritySettings>('/v1/security/settings', { bulk_access_mode: mode }),
    );
    if (saved) settings.reload();
  }

  return (
    <Panel title={t('security.mode')} hint={t('security.modeHint')} testId="security-mode">
      {settings.error && (
        <ErrorMessage error={settings.error} onRetry={settings.reload} forbiddenText={t('security.forbidden')} />
      )}
      {!settings.data && settings.loading && <Loading />}
      {current && (
        <>
          <div className="segmented" role="group" aria-label={t('security.mode')}>
            {BULK_ACCESS_MODES.map((m) => (
              <button
                key={m}
                type="button"
                aria-pressed={m === current}
                className={m === current ? 'active' : ''}
                disabled={saving.busy}
                onClick={() => choose(m)}
                data-testid={`bulk-mode-${m}`}
              >
                {t(`bulkMode.${m}`)}
              </button>
            ))}
          </div>
          <p className="muted small" data-testid="bulk-mode-hint">
            {t(`bulkMode.${current}Hint`)}
          </p>
        </>
      )}
      <ActionError error={saving.error} />
    </Panel>
  );
}
