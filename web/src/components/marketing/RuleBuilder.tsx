import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../api';
import { formatInt } from '../../format';
import { useI18n, type MessageKey } from '../../i18n';
import { zhCN } from '../../i18n/zh-CN';
import { href } from '../../router';
import { useApi } from '../../session';
import { LeafFields } from './LeafEditor';
import {
  hasEmptyGroup,
  LEAF_KINDS,
  newGroup,
  newLeaf,
  nodeForField,
  toRule,
  updateNode,
  type GroupNode,
  type LeafKind,
  type LeafNode,
  type RuleNode,
} from './rule-model';

/** A 422 shown at the node its path names. */
export interface FieldFault {
  node: number;
  message: string;
  code: string;
  field?: string;
}

/** The fault of an API error whose field is a path inside the rule, or null. */
export function faultOf(paths: Map<number, string>, error: unknown): FieldFault | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null;
  const node = nodeForField(paths, error.field);
  return node === null ? null : { node, message: error.message, code: error.code, field: error.field };
}

function NotToggle({ node, onChange, testId }: { node: RuleNode; onChange: (n: RuleNode) => void; testId: string }) {
  const { t } = useI18n();
  return (
    <label className="check not-toggle" title={t('rule.notHint')}>
      <input
        type="checkbox"
        checked={node.negate}
        onChange={(e) => onChange({ ...node, negate: e.target.checked })}
        data-testid={`${testId}-not`}
      />
      {t('rule.not')}
    </label>
  );
}

/** The API's refusals of a rule (src/modules/segments/rule.ts), in the reader's words. */
const PROBLEMS: [RegExp, MessageKey][] = [
  [/^must be an integer from 1 to (\d+)/, 'rule.problem.days'],
  [/^must be a non-negative integer/, 'rule.problem.nonNegative'],
  [/^must be a string of 1 to/, 'rule.problem.text'],
  [/^must be an array of 1 to/, 'rule.problem.list'],
  [/^is required/, 'rule.problem.required'],
  [/^must be more than 0/, 'rule.problem.positive'],
  [/^must be a finite number/, 'rule.problem.number'],
  [/^unknown tier/, 'rule.problem.tier'],
  [/^unknown store/, 'rule.problem.store'],
  [/^must be one of/, 'rule.problem.oneOf'],
  [/^needs one of/, 'rule.problem.needsOne'],
];
/** The last named step of a path: rule.all[1].event.within_days → within_days; ….count.gte → count. */
function fieldName(field: string | undefined): string {
  const steps = (field ?? '').replace(/\[\d+\]/g, '').split('.');
  const last = steps.pop() ?? '';
  return ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in'].includes(last) && steps.length ? steps.pop()! : last;
}

function FaultText({ fault, path }: { fault: FieldFault | null; path?: string }) {
  const { t } = useI18n();
  if (!fault) return null;
  const hit = PROBLEMS.find(([re]) => re.test(fault.message));
  const name = fieldName(fault.field);
  const label = `rule.field.${name}`;
  const words = t('rule.fault', {
    field: label in zhCN ? t(label as MessageKey) : name,
    problem: hit ? t(hit[1], { max: hit[0].exec(fault.message)?.[1] ?? '' }) : fault.message,
  });
  return (
    <div
      className="status status-error form-error leaf-error"
      role="alert"
      title={`${fault.field ?? ''}: ${fault.message}`}
      data-testid="rule-fault"
      data-path={path}
      data-field={fault.field}
    >
      {words}
    </div>
  );
}

function Leaf({
  node,
  onChange,
  onRemove,
  fault,
  path,
  testId,
}: {
  node: LeafNode;
  onChange: (n: RuleNode) => void;
  onRemove: () => void;
  fault: FieldFault | null;
  path: string | undefined;
  testId: string;
}) {
  const { t } = useI18n();
  const mine = fault && fault.node === node.id ? fault : null;
  return (
    <div
      className={'rule-leaf' + (mine ? ' has-error' : '') + (node.negate ? ' negated' : '')}
      data-testid="rule-leaf"
      data-kind={node.kind}
      data-path={path}
    >
      <div className="rule-leaf-row">
        <NotToggle node={node} onChange={onChange} testId={testId} />
        <select
          className="leaf-kind"
          value={node.kind}
          onChange={(e) => onChange({ ...newLeaf(e.target.value as LeafKind), id: node.id, negate: node.negate })}
          aria-label={t('rule.kind')}
          data-testid={`${testId}-kind`}
        >
          {LEAF_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`rule.kind.${k}` as MessageKey)}
            </option>
          ))}
        </select>
        <LeafFields
          kind={node.kind}
          body={node.body}
          onChange={(body) => onChange({ ...node, body })}
          testId={testId}
        />
        <button
          type="button"
          className="btn btn-link btn-small rule-remove"
          onClick={onRemove}
          aria-label={t('rule.remove')}
          data-testid={`${testId}-remove`}
        >
          {t('rule.remove')}
        </button>
      </div>
      <FaultText fault={mine} path={path} />
    </div>
  );
}

function Group({
  node,
  root,
  onChange,
  onRemove,
  fault,
  paths,
  testId,
}: {
  node: GroupNode;
  root: boolean;
  onChange: (n: RuleNode) => void;
  onRemove?: () => void;
  fault: FieldFault | null;
  paths: Map<number, string>;
  testId: string;
}) {
  const { t } = useI18n();
  const setChild = (i: number, c: RuleNode | null) => {
    const children = node.children.flatMap((x, j) => (j === i ? (c ? [c] : []) : [x]));
    onChange({ ...node, children });
  };
  const mine = fault && fault.node === node.id ? fault : null;
  return (
    <div
      className={'rule-group' + (root ? ' rule-root' : '') + (node.negate ? ' negated' : '')}
      data-testid="rule-group"
      data-path={paths.get(node.id)}
    >
      <div className="rule-group-head">
        {!root && <NotToggle node={node} onChange={onChange} testId={testId} />}
        <span>{t('rule.match')}</span>
        <div className="segmented" role="radiogroup" aria-label={t('rule.match')}>
          {(['all', 'any'] as const).map((op) => (
            <button
              key={op}
              type="button"
              role="radio"
              aria-checked={node.op === op}
              className={node.op === op ? 'active' : ''}
              onClick={() => onChange({ ...node, op })}
              data-testid={`${testId}-op-${op}`}
            >
              {t(op === 'all' ? 'rule.all' : 'rule.anyOf')}
            </button>
          ))}
        </div>
        <span>{t('rule.conditions')}</span>
        <span className="rule-group-actions">
          <button
            type="button"
            className="btn btn-small"
            onClick={() => onChange({ ...node, children: [...node.children, newLeaf('ordered')] })}
            data-testid={`${testId}-add-leaf`}
          >
            {t('rule.addCondition')}
          </button>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => onChange({ ...node, children: [...node.children, newGroup('any', [newLeaf('tag')])] })}
            data-testid={`${testId}-add-group`}
          >
            {t('rule.addGroup')}
          </button>
          {onRemove && (
            <button
              type="button"
              className="btn btn-link btn-small"
              onClick={onRemove}
              data-testid={`${testId}-remove`}
            >
              {t('rule.removeGroup')}
            </button>
          )}
        </span>
      </div>
      {node.children.length === 0 && <p className="muted small">{t('rule.emptyGroup')}</p>}
      <div className="rule-children">
        {node.children.map((c, i) =>
          c.type === 'group' ? (
            <Group
              key={c.id}
              node={c}
              root={false}
              onChange={(n) => setChild(i, n)}
              onRemove={() => setChild(i, null)}
              fault={fault}
              paths={paths}
              testId={`${testId}-${i}`}
            />
          ) : (
            <Leaf
              key={c.id}
              node={c}
              onChange={(n) => setChild(i, n)}
              onRemove={() => setChild(i, null)}
              fault={fault}
              path={paths.get(c.id)}
              testId={`${testId}-${i}`}
            />
          ),
        )}
      </div>
      <FaultText fault={mine} path={paths.get(node.id)} />
    </div>
  );
}

/**
 * The rule as nested groups of conditions. `error`: the last 422 of a preview or a save, shown at
 * the condition whose path it names (or above the rule when it names none).
 */
export function RuleBuilder({
  root,
  onChange,
  error,
}: {
  root: GroupNode;
  onChange: (root: GroupNode) => void;
  error: unknown;
}) {
  const { paths } = useMemo(() => toRule(root), [root]);
  const fault = faultOf(paths, error);
  return (
    <div className="rule-builder" data-testid="rule-builder">
      <Group
        node={root}
        root
        onChange={(n) => onChange(updateNode(root, root.id, () => n))}
        fault={fault}
        paths={paths}
        testId="rule"
      />
    </div>
  );
}

export interface Preview {
  size: number;
  sample: string[];
}

/**
 * The size of the rule now, asked again 400 ms after the last edit (POST /v1/segments/preview);
 * error is the last refusal (a 422 naming a path in the rule).
 */
export function useLivePreview(root: GroupNode): { preview: Preview | null; error: unknown; loading: boolean } {
  const api = useApi();
  const json = useMemo(() => JSON.stringify(toRule(root).rule), [root]);
  const empty = hasEmptyGroup(root);
  const [state, setState] = useState<{ json: string; preview: Preview | null; error: unknown }>({
    json: '',
    preview: null,
    error: null,
  });
  useEffect(() => {
    if (empty) return;
    let live = true;
    const timer = window.setTimeout(() => {
      api
        .post<Preview>('/v1/segments/preview', { rule: JSON.parse(json) as unknown })
        .then((preview) => live && setState({ json, preview, error: null }))
        .catch((error: unknown) => live && setState((s) => ({ json, preview: s.preview, error })));
    }, 400);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [api, json, empty]);
  return {
    preview: empty ? null : state.preview,
    error: empty ? null : state.error,
    loading: !empty && state.json !== json,
  };
}

/** The live size and a sample of ids, each a link to the profile. */
export function PreviewBox({ preview, error, loading }: { preview: Preview | null; error: unknown; loading: boolean }) {
  const { t } = useI18n();
  const stale = loading || !!error;
  return (
    <div className={'preview-box' + (stale ? ' stale' : '')} data-testid="rule-preview" aria-live="polite">
      <div className="preview-size">
        <span className="muted small">{t('rule.previewSize')}</span>
        <strong data-testid="rule-preview-size" data-ready={!stale && preview ? 'yes' : 'no'}>
          {preview ? formatInt(preview.size) : '—'}
        </strong>
        <span className="muted small">{t('rule.people')}</span>
        {loading && <span className="spinner" aria-hidden="true" />}
      </div>
      {error instanceof Error && !(error instanceof ApiError && error.status === 422) && (
        <div className="status status-error small">{error.message}</div>
      )}
      {error instanceof ApiError && error.status === 422 && <div className="muted small">{t('rule.fixFirst')}</div>}
      {preview && preview.sample.length > 0 && (
        <>
          <div className="muted small">{t('rule.sample')}</div>
          <ul className="preview-sample" data-testid="rule-preview-sample">
            {preview.sample.map((id) => (
              <li key={id}>
                <a className="mono small" href={href('customers', id)}>
                  {id}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
