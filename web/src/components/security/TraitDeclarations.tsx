import { useState, type FormEvent } from 'react';
import { TRAIT_CLASSIFICATIONS, TRAIT_TYPES, type TraitDeclaration, type TraitDefinition } from '../../api';
import { useAction, useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, ErrorMessage, Loading } from '../Status';

/** The server's rule for a trait key (POST /v1/traits), checked before sending. */
const TRAIT_KEY = /^[a-z][a-z0-9_]{0,63}$/;

function DeclareForm({ onDeclared }: { onDeclared: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [key, setKey] = useState('');
  const [classification, setClassification] = useState<TraitDeclaration['classification']>('pii');
  const [type, setType] = useState<NonNullable<TraitDeclaration['type']>>('string');
  const [invalid, setInvalid] = useState(false);
  const declaring = useAction();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const k = key.trim();
    setInvalid(!TRAIT_KEY.test(k));
    if (!TRAIT_KEY.test(k)) return;
    const declared = await declaring.run(() =>
      api.post<TraitDefinition>('/v1/traits', { key: k, classification, type } satisfies TraitDeclaration),
    );
    if (!declared) return;
    setKey('');
    onDeclared();
  }

  return (
    <form className="form-row" onSubmit={submit} noValidate data-testid="trait-form">
      <label className="field">
        <span>{t('traits.key')}</span>
        <input
          value={key}
          maxLength={64}
          className="mono"
          placeholder="wechat_nickname"
          title={t('traits.keyHint')}
          onChange={(e) => setKey(e.target.value)}
          data-testid="trait-key"
        />
      </label>
      <label className="field">
        <span>{t('traits.classification')}</span>
        <select
          value={classification}
          onChange={(e) => setClassification(e.target.value as typeof classification)}
          data-testid="trait-classification"
        >
          {TRAIT_CLASSIFICATIONS.map((c) => (
            <option key={c} value={c}>
              {t(`traitClass.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('traits.type')}</span>
        <select value={type} onChange={(e) => setType(e.target.value as typeof type)} data-testid="trait-type">
          {TRAIT_TYPES.map((ty) => (
            <option key={ty} value={ty}>
              {t(`traitType.${ty}`)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn btn-primary" disabled={declaring.busy} data-testid="trait-submit">
        {declaring.busy ? t('traits.declaring') : t('traits.declare')}
      </button>
      {invalid && (
        <div className="status status-error form-error" role="alert" data-testid="trait-key-invalid">
          {t('traits.keyInvalid')}
        </div>
      )}
      <ActionError error={declaring.error} />
    </form>
  );
}

/** Built-in and custom customer traits with their classification, and a form to declare one (admins). */
export function TraitDeclarations() {
  const { t } = useI18n();
  const traits = useResource<{ items: TraitDefinition[] }>('/v1/traits');

  return (
    <Panel title={t('traits.title')} hint={t('traits.hint')} testId="traits">
      {traits.error && <ErrorMessage error={traits.error} onRetry={traits.reload} />}
      {!traits.data && traits.loading && <Loading />}
      {traits.data && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="traits-table">
            <thead>
              <tr>
                <th>{t('traits.key')}</th>
                <th>{t('traits.classification')}</th>
                <th>{t('traits.type')}</th>
                <th>{t('traits.origin')}</th>
              </tr>
            </thead>
            <tbody>
              {traits.data.items.map((d) => (
                <tr key={d.key} data-testid="trait-row" data-key={d.key} data-classification={d.classification}>
                  <td className="mono" translate="no">
                    {d.key}
                  </td>
                  <td>
                    <span className={d.classification === 'pii' ? 'badge badge-warn' : 'badge badge-muted'}>
                      {translateValue(t, 'traitClass', d.classification)}
                    </span>
                  </td>
                  <td>{translateValue(t, 'traitType', d.type)}</td>
                  <td>{d.builtin ? t('traits.builtin') : t('traits.custom')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {traits.data && (
        <>
          <h3>{t('traits.declare')}</h3>
          <DeclareForm onDeclared={traits.reload} />
        </>
      )}
    </Panel>
  );
}
