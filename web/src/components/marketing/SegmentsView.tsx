import { useState } from 'react';
import { useI18n } from '../../i18n';
import { RuleDraft, firstRule } from './RuleDraft';

/** 人群: build a segment from conditions and see its size as it is edited. */
export function SegmentsView() {
  const { t } = useI18n();
  const [initial] = useState(firstRule);
  return <RuleDraft initial={initial} title={t('segments.draftTitle')} hint={t('segments.draftHint')} />;
}
