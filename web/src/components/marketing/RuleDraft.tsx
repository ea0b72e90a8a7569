import { useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n';
import { Panel } from '../PageHeader';
import { PreviewBox, RuleBuilder, useLivePreview } from './RuleBuilder';
import { newGroup, newLeaf, toRule, type GroupNode } from './rule-model';

/** A new segment starts with one behavioural condition: bought in the last 30 days. */
export const firstRule = (): GroupNode => newGroup('all', [newLeaf('ordered')]);

/**
 * The builder beside its live size. `actions(rule)` renders the buttons under the rule (save…)
 * with the rule's current JSON; `saveError` (a 422 from saving) is shown at its condition as a
 * preview's is.
 */
export function RuleDraft({
  initial,
  title,
  hint,
  children,
  actions,
  saveError,
}: {
  initial: GroupNode;
  title: string;
  hint?: string;
  /** Fields above the rule (name, description). */
  children?: ReactNode;
  actions?: (rule: unknown) => ReactNode;
  saveError?: unknown;
}) {
  const { t } = useI18n();
  const [root, setRoot] = useState<GroupNode>(initial);
  const live = useLivePreview(root);
  const [edited, setEdited] = useState(false);
  // A save's refusal names a path of the rule as it was saved; after an edit the preview's is newer.
  const shownError = !edited && saveError ? saveError : live.error;
  return (
    <Panel title={title} hint={hint} testId="rule-draft">
      {children}
      <div className="rule-layout">
        <div className="rule-main">
          <h3>{t('rule.title')}</h3>
          <RuleBuilder
            root={root}
            onChange={(r) => {
              setRoot(r);
              setEdited(true);
            }}
            error={shownError}
          />
        </div>
        <aside className="rule-side">
          <PreviewBox preview={live.preview} error={live.error} loading={live.loading} />
        </aside>
      </div>
      {actions && (
        <div className="form-buttons" onClickCapture={() => setEdited(false)}>
          {actions(toRule(root).rule)}
        </div>
      )}
    </Panel>
  );
}
