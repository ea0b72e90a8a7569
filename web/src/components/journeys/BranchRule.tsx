import { useState } from 'react';
import { useI18n } from '../../i18n';
import { RuleBuilder } from '../marketing/RuleBuilder';
import { newGroup, newLeaf, rootOf, toRule, type GroupNode } from '../marketing/rule-model';

type Obj = Record<string, unknown>;
const isSinceEntry = (rule: unknown): rule is { since_entry: unknown } =>
  typeof rule === 'object' && rule !== null && Object.keys(rule).length === 1 && 'since_entry' in rule;

/** The rule's JSON: a root holding one plain leaf is that leaf (since_entry takes a leaf). */
function ruleOf(root: GroupNode): unknown {
  const only = root.children[0];
  if (root.op === 'all' && !root.negate && root.children.length === 1 && only?.type === 'leaf' && !only.negate)
    return { [only.kind]: only.body };
  return toRule(root).rule;
}

function treeOf(rule: unknown): GroupNode | null {
  try {
    return rootOf(rule);
  } catch {
    return null;
  }
}

/**
 * A branch's condition in Marketing I's rule builder, optionally "since entry" (did it happen after
 * the customer entered the journey): `{since_entry: <leaf>}` around the built condition.
 */
export function BranchRule({
  rule,
  onChange,
  testId,
}: {
  rule: unknown;
  onChange: (r: unknown) => void;
  testId: string;
}) {
  const { t } = useI18n();
  const since = isSinceEntry(rule);
  const inner = since ? rule.since_entry : rule;
  const [root, setRoot] = useState<GroupNode | null>(() => treeOf(inner) ?? null);
  const emit = (r: GroupNode, wrap: boolean) => {
    setRoot(r);
    onChange(wrap ? { since_entry: ruleOf(r) } : ruleOf(r));
  };
  return (
    <div className="journey-branch-rule" data-testid={testId}>
      <label className="field-inline">
        <input
          type="checkbox"
          checked={since}
          onChange={(e) => emit(root ?? newGroup('all', [newLeaf('ordered')]), e.target.checked)}
          data-testid={`${testId}-since-entry`}
        />
        {t('journeys.branch.sinceEntry')}
      </label>
      {root ? (
        <>
          <RuleBuilder root={root} onChange={(r) => emit(r, since)} error={null} />
          <p className="muted small">{t('journeys.branch.triggerHint')}</p>
        </>
      ) : (
        <p className="muted small">
          {t('journeys.branch.unknownRule')} <code className="mono">{JSON.stringify(inner as Obj)}</code>
        </p>
      )}
    </div>
  );
}
