import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OnnxVariant } from '@sokhan/common';
import { useFormat } from '../../../app/preferences';
import { Field } from '../../../components/Field';
import { RunForm, RunMeta, useRunForm } from './run-parts';
import { entitySegments } from './try-text';

/** Entity types with a colour of their own; any other is drawn in the neutral one. */
const COLOURED = new Set(['PER', 'LOC', 'ORG', 'MISC', 'DAT', 'TIM', 'EVE', 'FAC', 'PRO', 'MON', 'PCT']);

/** token-classification: the entities found, highlighted in the text at the offsets the runtime gives, and listed. */
export function EntitiesTry({ modelId, variant }: { modelId: string; variant: OnnxVariant }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [text, setText] = useState(() => t('run.samples.entities'));
  const { run, submit, output, sent, errors } = useRunForm(modelId, 'token-classification');
  const segments = useMemo(() => (output ? entitySegments(output.text, output.entities) : []), [output]);
  const typeName = (entity: string) => t(`run.entities.types.${entity}`, { defaultValue: entity });
  return (
    <RunForm
      pipeline="token-classification"
      onSubmit={() => submit({ pipeline: 'token-classification', inputs: text, variant })}
      busy={run.isPending}
      error={run.error}
      result={
        output && (
          <>
            <h3 className="subheading">{t('run.entities.found', { count: output.entities.length, n: f.number(output.entities.length) })}</h3>
            <p className="entity-text" dir="auto" lang="fa" data-testid="entity-text">
              {segments.map((s, i) =>
                s.entity ? (
                  <mark key={i} className={`entity entity-${COLOURED.has(s.entity.entity) ? s.entity.entity : 'other'}`} data-testid="entity" data-entity={s.entity.entity}>
                    {s.text}
                    <span className="entity-tag">{typeName(s.entity.entity)}</span>
                  </mark>
                ) : (
                  <span key={i}>{s.text}</span>
                ),
              )}
            </p>
            {output.entities.length > 0 && (
              <ul className="list entity-list">
                {output.entities.map((e) => (
                  <li key={`${e.start}-${e.end}`} className="meta-line">
                    <bdi dir="auto" lang="fa">
                      <strong>{e.word}</strong>
                    </bdi>
                    <span>{typeName(e.entity)}</span>
                    <span>{f.percent(e.score, 1)}</span>
                  </li>
                ))}
              </ul>
            )}
            <RunMeta output={output} read={output.text} typed={sent} />
          </>
        )
      }
    >
      <Field label={t('run.text')} error={errors.inputs}>
        <textarea className="textarea" dir="auto" lang="fa" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
    </RunForm>
  );
}
