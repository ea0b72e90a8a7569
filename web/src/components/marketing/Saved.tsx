import { useState } from 'react';
import { ApiError } from '../../api';
import { formatDateTime, formatInt } from '../../format';
import { useAction, usePagedList, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { downloadCsv, type SavedSegment, type SegmentMember } from '../../marketing';
import { can, useMe } from '../../me';
import { href, navigate } from '../../router';
import { useApi, useSession } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, Empty, ErrorMessage, LoadMore, Loading } from '../Status';
import { RuleDraft, firstRule } from './RuleDraft';
import { rootOf } from './rule-model';

export type SavedKind = 'segment' | 'tag';

const base = (kind: SavedKind) => (kind === 'segment' ? '/v1/segments' : '/v1/tags');
const tab = (kind: SavedKind) => (kind === 'segment' ? 'segments' : 'tags');
/** Segments are addressed by id, computed tags by name. */
const keyOf = (kind: SavedKind, s: SavedSegment) => (kind === 'segment' ? s.id : s.name);

/** Saved segments or computed tags: name, size and when it was last evaluated; a row opens it. */
function SavedList({ kind }: { kind: SavedKind }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const list = useResource<{ items: SavedSegment[] }>(base(kind));
  const k = kind === 'segment' ? 'segments' : 'tags';
  return (
    <Panel
      title={t(`${k}.listTitle`)}
      hint={t(`${k}.listHint`)}
      testId={`${kind}-list`}
      actions={
        <div className="page-actions">
          <button type="button" className="btn btn-small" onClick={list.reload} disabled={list.loading}>
            {t('common.refresh')}
          </button>
          {can(me, 'manageSegments') && (
            <a
              className="btn btn-small btn-primary"
              href={href('marketing', tab(kind), 'new')}
              data-testid={`${kind}-new`}
            >
              {t(`${k}.new`)}
            </a>
          )}
        </div>
      }
    >
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {!list.data && list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && <Empty />}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-hover" data-testid={`${kind}-table`}>
            <thead>
              <tr>
                <th>{t('segments.name')}</th>
                <th className="num">{t('segments.size')}</th>
                <th>{t('segments.evaluatedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((s) => (
                <tr
                  key={s.id}
                  onClick={() => navigate('marketing', tab(kind), keyOf(kind, s))}
                  data-testid={`${kind}-row`}
                  data-id={s.id}
                  data-name={s.name}
                >
                  <td>
                    <a href={href('marketing', tab(kind), keyOf(kind, s))} onClick={(e) => e.stopPropagation()}>
                      <strong>{s.name}</strong>
                    </a>
                    {s.preset && <span className="badge badge-info badge-inline">{t('tags.preset')}</span>}
                    {s.description && <div className="muted small">{s.description}</div>}
                  </td>
                  <td className="num" data-testid={`${kind}-size`}>
                    {formatInt(s.size)}
                  </td>
                  <td className="nowrap">{formatDateTime(s.evaluated_at, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

/** A segment's members as last evaluated (ids and when they entered: no contact data), with the CSV export. */
function Members({ segment }: { segment: SavedSegment }) {
  const { t, lang } = useI18n();
  const { key } = useSession();
  const path = `/v1/segments/${encodeURIComponent(segment.id)}/members`;
  const list = usePagedList<SegmentMember>(path);
  const exporting = useAction();
  return (
    <Panel
      title={t('segments.members', { count: formatInt(segment.size) })}
      hint={t('segments.membersHint')}
      testId="segment-members"
      actions={
        <button
          type="button"
          className="btn btn-small"
          disabled={exporting.busy || !key}
          onClick={() => void exporting.run(() => downloadCsv(key!, path, `segment-${segment.id}.csv`))}
          data-testid="segment-export"
        >
          {t('marketing.exportCsv')}
        </button>
      }
    >
      <ActionError error={exporting.error} />
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {list.items.length === 0 && list.loading && <Loading />}
      {list.items.length === 0 && !list.loading && !list.error && <Empty />}
      {list.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-hover" data-testid="segment-members-table">
            <thead>
              <tr>
                <th>{t('customers.id')}</th>
                <th>{t('segments.enteredAt')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr
                  key={m.customer_id}
                  onClick={() => navigate('customers', m.customer_id)}
                  data-testid="segment-member"
                  data-customer={m.customer_id}
                >
                  <td>
                    <a className="mono" href={href('customers', m.customer_id)} onClick={(e) => e.stopPropagation()}>
                      {m.customer_id}
                    </a>
                  </td>
                  <td className="nowrap">{formatDateTime(m.entered_at, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </Panel>
  );
}

/** The name and description fields with the API's refusal of either shown under it. */
function NameFields({
  kind,
  name,
  description,
  onName,
  onDescription,
  error,
  readOnly,
}: {
  kind: SavedKind;
  name: string;
  description: string;
  onName: (v: string) => void;
  onDescription: (v: string) => void;
  error: unknown;
  readOnly: boolean;
}) {
  const { t } = useI18n();
  const field = error instanceof ApiError ? error.field : undefined;
  const fieldError = (f: string) =>
    field === f || (error instanceof ApiError && error.status === 409 && f === 'name') ? (
      <div className="field-error" role="alert" data-testid={`field-error-${f}`}>
        {error instanceof ApiError && error.status === 409 ? t('segments.nameTaken') : (error as Error).message}
      </div>
    ) : null;
  return (
    <div className="form-grid saved-fields">
      <label className="field">
        <span>{t(kind === 'segment' ? 'segments.name' : 'tags.name')}</span>
        <input
          type="text"
          value={name}
          maxLength={kind === 'segment' ? 100 : 64}
          readOnly={readOnly}
          placeholder={t(kind === 'segment' ? 'segments.namePlaceholder' : 'tags.namePlaceholder')}
          onChange={(e) => onName(e.target.value)}
          data-testid="saved-name"
        />
        {fieldError('name')}
      </label>
      <label className="field field-wide">
        <span>{t('segments.description')}</span>
        <input
          type="text"
          value={description}
          maxLength={500}
          readOnly={readOnly}
          onChange={(e) => onDescription(e.target.value)}
          data-testid="saved-description"
        />
        {fieldError('description')}
      </label>
    </div>
  );
}

/** A new or saved segment (or computed tag): name, the rule with its live size, save, delete, members. */
function SavedEditor({
  kind,
  selected,
  onSaved,
}: {
  kind: SavedKind;
  selected: string;
  onSaved: (s: SavedSegment) => void;
}) {
  const { t } = useI18n();
  const me = useMe();
  const api = useApi();
  const isNew = selected === 'new';
  const path = `${base(kind)}/${encodeURIComponent(selected)}`;
  const saved = useResource<SavedSegment>(isNew ? null : path);
  const [name, setName] = useState<string | null>(null);
  const [description, setDescription] = useState<string | null>(null);
  const save = useAction();
  const remove = useAction();
  const writable = can(me, 'manageSegments');
  const k = kind === 'segment' ? 'segments' : 'tags';

  if (!isNew && !saved.data) {
    return saved.error ? <ErrorMessage error={saved.error} onRetry={saved.reload} /> : <Loading />;
  }
  const current = saved.data;
  let initial;
  try {
    initial = current ? rootOf(current.rule) : firstRule();
  } catch {
    initial = firstRule();
  }
  const shownName = name ?? current?.name ?? '';
  const shownDescription = description ?? current?.description ?? '';

  return (
    <>
      <RuleDraft
        key={current?.id ?? 'new'}
        initial={initial}
        title={isNew ? t(`${k}.new`) : (current?.name ?? '')}
        hint={t('segments.draftHint')}
        saveError={save.error}
        actions={
          writable
            ? (rule) => (
                <>
                  <button
                    type="button"
                    className="btn btn-primary"
                    disabled={save.busy || !shownName.trim()}
                    onClick={() =>
                      void save
                        .run(() => {
                          const body = { name: shownName.trim(), description: shownDescription.trim() || null, rule };
                          return isNew ? api.post<SavedSegment>(base(kind), body) : api.put<SavedSegment>(path, body);
                        })
                        .then((s) => {
                          if (!s) return;
                          onSaved(s);
                          if (isNew) navigate('marketing', tab(kind), keyOf(kind, s));
                          else saved.reload();
                        })
                    }
                    data-testid="saved-submit"
                  >
                    {save.busy ? t('segments.saving') : t('segments.save')}
                  </button>
                  <a className="btn" href={href('marketing', tab(kind))}>
                    {t('common.cancel')}
                  </a>
                  {!isNew && current && (
                    <button
                      type="button"
                      className="btn btn-danger"
                      disabled={remove.busy}
                      onClick={() => {
                        if (!window.confirm(t('segments.confirmDelete', { name: current.name }))) return;
                        void remove
                          .run(() => api.del(path))
                          .then((r) => r !== undefined && navigate('marketing', tab(kind)));
                      }}
                      data-testid="saved-delete"
                    >
                      {t('segments.delete')}
                    </button>
                  )}
                  {save.error && !(save.error instanceof ApiError && save.error.status === 422) && (
                    <ActionError error={save.error} />
                  )}
                  {save.error instanceof ApiError &&
                    save.error.status === 422 &&
                    save.error.field?.startsWith('rule') && <span className="muted small">{t('rule.fixFirst')}</span>}
                  <ActionError error={remove.error} />
                </>
              )
            : undefined
        }
      >
        <NameFields
          kind={kind}
          name={shownName}
          description={shownDescription}
          onName={setName}
          onDescription={setDescription}
          error={save.error}
          readOnly={!writable}
        />
        {current && (
          <p className="muted small" data-testid="saved-size">
            {t('segments.sizeSaved', { count: formatInt(current.size) })}
          </p>
        )}
      </RuleDraft>
      {kind === 'segment' && current && <Members key={`${current.id}-${current.updated_at}`} segment={current} />}
    </>
  );
}

/** 人群 or 标签: the list, or one (new or saved) beside it. */
export function SavedView({ kind, selected }: { kind: SavedKind; selected: string | null }) {
  const { t } = useI18n();
  // Kept here: saving a new one opens it under its id, a new editor.
  const [savedNow, setSavedNow] = useState<SavedSegment | null>(null);
  const shown = savedNow && selected && keyOf(kind, savedNow) === selected ? savedNow : null;
  if (!selected) return <SavedList kind={kind} />;
  return (
    <>
      {shown && (
        <div className="status status-ok" role="status" data-testid="saved-ok" data-id={shown.id}>
          {t('segments.saved', { name: shown.name, count: formatInt(shown.size) })}
        </div>
      )}
      <SavedEditor key={selected} kind={kind} selected={selected} onSaved={setSavedNow} />
    </>
  );
}
