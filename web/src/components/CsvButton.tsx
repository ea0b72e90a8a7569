import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { downloadCsv } from '../marketing';
import { useSession } from '../session';
import { ActionError } from './Status';

/** Downloads a list as CSV (the same route with Accept: text/csv); the server audits the export. */
export function CsvButton({
  path,
  filename,
  testId,
  label,
}: {
  path: string;
  filename: string;
  testId: string;
  /** The button's text when not the lists' 导出 CSV (e.g. a statement's download; no audit hint then). */
  label?: string;
}) {
  const { t } = useI18n();
  const { key } = useSession();
  const download = useAction();
  return (
    <span className="csv-export">
      <button
        type="button"
        className="btn btn-small"
        disabled={download.busy || !key}
        title={label ? undefined : t('lists.exportAudited')}
        onClick={() => void download.run(() => downloadCsv(key!, path, filename))}
        data-testid={testId}
      >
        {label ?? t('lists.exportCsv')}
      </button>
      <ActionError error={download.error} testId={`${testId}-error`} />
    </span>
  );
}
