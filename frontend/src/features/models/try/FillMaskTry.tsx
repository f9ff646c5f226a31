import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OnnxVariant } from '@sokhan/common';
import { Field } from '../../../components/Field';
import { Button, Ltr } from '../../../components/ui';
import { RunForm, RunMeta, ScoreBars, useRunForm } from './run-parts';
import { insertToken } from './try-text';

/** fill-mask: a text with the model's own mask token once; the words the model would put there. */
export function FillMaskTry({ modelId, variant, maskToken }: { modelId: string; variant: OnnxVariant; maskToken: string }) {
  const { t } = useTranslation();
  const box = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(() => t('run.samples.fillMask', { mask: maskToken }));
  const { run, submit, output, sent, errors } = useRunForm(modelId, 'fill-mask');
  const masks = text.split(maskToken).length - 1;
  const insert = () => {
    const el = box.current;
    const next = insertToken(text, el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length, maskToken);
    setText(next.text);
    // Back in the box, the caret after the token, ready to go on typing.
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };
  const best = output?.predictions[0];
  return (
    <RunForm
      pipeline="fill-mask"
      onSubmit={() => submit({ pipeline: 'fill-mask', inputs: text, variant }, masks === 1 ? {} : { inputs: t('run.fillMask.once', { mask: maskToken }) })}
      busy={run.isPending}
      error={run.error}
      result={
        output && (
          <>
            {best && (
              <p className="filled" data-testid="filled">
                <bdi dir="auto" lang="fa">
                  {best.sequence}
                </bdi>
              </p>
            )}
            <h3 className="subheading">{t('run.fillMask.predictions')}</h3>
            <ScoreBars items={output.predictions.map((p) => ({ label: p.tokenStr, score: p.score }))} />
            <RunMeta output={output} read={output.text} typed={sent} />
          </>
        )
      }
    >
      <Field
        label={t('run.text')}
        hint={
          <>
            {t('run.fillMask.hint')} <Ltr className="mono">{maskToken}</Ltr>
          </>
        }
        error={errors.inputs}
      >
        <textarea ref={box} className="textarea" dir="auto" lang="fa" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <div>
        <Button size="sm" onClick={insert} data-testid="insert-mask">
          {t('run.fillMask.insert')} <Ltr className="mono">{maskToken}</Ltr>
        </Button>
      </div>
    </RunForm>
  );
}
