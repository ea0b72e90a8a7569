import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { downloadCsv } from '../marketing';
import { useSession } from '../session';
import { ActionError } from './Status';

/** Downloads a list as CSV (the same route with Accept: text/csv); the server audits the export. */
export function CsvButton({ path, filename, testId }: { path: string; filename: string; testId: string }) {
  const { t } = useI18n();
  const { key } = useSession();
  const download = useAction();
  return (
    <span className="csv-export">
      <button
        type="button"
        className="btn btn-small"
        disabled={download.busy || !key}
        title={t('lists.exportAudited')}
        onClick={() => void download.run(() => downloadCsv(key!, path, filename))}
        data-testid={testId}
      >
        {t('lists.exportCsv')}
      </button>
      <ActionError error={download.error} testId={`${testId}-error`} />
    </span>
  );
}
