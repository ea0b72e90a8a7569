import { useState } from 'react';
import type { Merge } from '../api';
import { formatDateTime } from '../format';
import { useAction } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { can, useMe } from '../me';
import { href } from '../router';
import { useApi } from '../session';
import { Dialog } from './Dialog';
import { ActionError } from './Status';

function UnmergeDialog({
  customerId,
  merge,
  onDone,
  onClose,
}: {
  customerId: string;
  merge: Merge;
  onDone: () => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();

  async function confirm() {
    if (
      await action.run(() =>
        api.post(`/v1/customers/${encodeURIComponent(customerId)}/unmerge`, { merge_id: merge.merge_id }),
      )
    )
      onDone();
  }

  return (
    <Dialog title={t('profile.unmergeTitle')} onClose={onClose} testId="unmerge-dialog">
      <p>{t('profile.unmergeConfirm', { from: merge.from, into: merge.into })}</p>
      <p className="muted small mono">{merge.merge_id}</p>
      <ActionError error={action.error} testId="unmerge-error" />
      <div className="dialog-buttons">
        <button type="button" className="btn" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={action.busy}
          onClick={confirm}
          data-testid="unmerge-confirm"
        >
          {t('profile.unmerge')}
        </button>
      </div>
    </Dialog>
  );
}

/** The merges that made this person (oldest first); admin and support may undo one that is still in effect. */
export function MergeHistory({
  customerId,
  merges,
  onChanged,
}: {
  customerId: string;
  merges: Merge[];
  onChanged: () => void;
}) {
  const { t, lang } = useI18n();
  const me = useMe();
  const [undoing, setUndoing] = useState<Merge | null>(null);
  if (merges.length === 0) return <p className="muted small">{t('profile.noMerges')}</p>;
  const mayUnmerge = can(me, 'unmerge');
  return (
    <>
      <ol className="merge-list" data-testid="merge-history">
        {merges.map((m) => (
          <li
            key={m.merge_id}
            className={'merge' + (m.undone_at ? ' undone' : '')}
            data-testid="merge-row"
            data-merge={m.merge_id}
            data-undone={String(m.undone_at !== null)}
          >
            <div className="merge-head">
              <span className="merge-ids">
                <a className="mono" href={href('customers', m.from)}>
                  {m.from}
                </a>
                <span aria-hidden="true"> → </span>
                <span className="sr-only">{t('profile.mergeInto')}</span>
                <a className="mono" href={href('customers', m.into)}>
                  {m.into}
                </a>
              </span>
              {m.undone_at ? (
                <span className="badge badge-muted" data-testid="merge-state">
                  {t('profile.undone')}
                </span>
              ) : (
                <span className="badge badge-info" data-testid="merge-state">
                  {t('profile.inEffect')}
                </span>
              )}
            </div>
            <dl className="facts facts-compact">
              <dt>{t('profile.mergedAt')}</dt>
              <dd>{formatDateTime(m.at, lang)}</dd>
              <dt>{t('profile.linkedBy')}</dt>
              <dd>
                {m.linked_by.map((x) => translateValue(t, 'identifier', x)).join(t('common.listSep')) ||
                  t('common.none')}
              </dd>
              {m.undone_at && (
                <>
                  <dt>{t('profile.undoneAt')}</dt>
                  <dd data-testid="merge-undone-at">{formatDateTime(m.undone_at, lang)}</dd>
                </>
              )}
            </dl>
            {!m.undone_at && mayUnmerge && (
              <button
                type="button"
                className="btn btn-small btn-danger"
                onClick={() => setUndoing(m)}
                data-testid="unmerge-open"
              >
                {t('profile.unmerge')}
              </button>
            )}
          </li>
        ))}
      </ol>
      {undoing && (
        <UnmergeDialog
          customerId={customerId}
          merge={undoing}
          onClose={() => setUndoing(null)}
          onDone={() => {
            setUndoing(null);
            onChanged();
          }}
        />
      )}
    </>
  );
}
