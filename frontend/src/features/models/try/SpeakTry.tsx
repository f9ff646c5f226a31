import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OnnxVariant } from '@sokhan/common';
import { useFormat } from '../../../app/preferences';
import { Field } from '../../../components/Field';
import { playableClip, PlayerView, usePlayer } from '../../speech/player';
import { RunForm, RunMeta, useRunForm } from './run-parts';

/** The WAV the runtime answers (base64) as bytes. */
export function wavBytes(base64: string): ArrayBuffer {
  const raw = atob(base64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes.buffer;
}

/** text-to-speech: a VITS/MMS model speaks the text; the WAV plays in the speech page's player. */
export function SpeakTry({ modelId, variant, repoId }: { modelId: string; variant: OnnxVariant; repoId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [text, setText] = useState(() => t('run.samples.speak'));
  const player = usePlayer();
  // Each answer becomes the player's clip (the player releases the previous one).
  const { run, submit, output, sent, errors } = useRunForm(modelId, 'text-to-speech', (out) => player.load(playableClip(wavBytes(out.wavBase64)), true));
  const onSubmit = () => submit({ pipeline: 'text-to-speech', inputs: text, variant });
  const clip = player.clip;
  return (
    <RunForm
      pipeline="text-to-speech"
      onSubmit={onSubmit}
      busy={run.isPending}
      error={run.error}
      result={
        output &&
        clip && (
          <div className="player" data-testid="player">
            <PlayerView player={player} clip={clip} fileName={`${repoId.split('/').pop() ?? 'speech'}.wav`} />
            <p className="meta-line">
              <span>{t('speech.duration', { s: f.number(output.durationSeconds, { maximumFractionDigits: 2 }) })}</span>
              <span>{t('speech.sampleRate', { hz: f.number(output.samplingRate) })}</span>
            </p>
            <RunMeta output={output} read={output.text} typed={sent} />
          </div>
        )
      }
    >
      <Field label={t('run.text')} error={errors.inputs}>
        <textarea className="textarea" dir="auto" lang="fa" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
    </RunForm>
  );
}
