import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  TTS_LENGTH_SCALE_RANGE,
  TTS_NOISE_SCALE_RANGE,
  TTS_RATE_RANGE,
  type TtsHistoryItem,
  type TtsParams,
  type TtsVoice,
  type TtsUnavailableVoice,
} from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { PlayIcon, WaveIcon } from '../../components/icons';
import { Badge, Button, Card, Loading, Ltr, PageHeader } from '../../components/ui';
import { ApiError } from '../../lib/api';
import { playableClip, PlayerView, usePlayer, type PlayableClip, type Player } from './player';
import { ttsApi, ttsKeys } from './tts.api';

interface Clip extends PlayableClip {
  text: string;
  voiceName: string;
  clipId: string | null;
  historyId: string | null;
  computeMs: number | null;
}

const SAMPLE_TEXT_KEY = 'speech.sample';

function codePoints(text: string): number {
  return [...text].length;
}

export function SpeechPage() {
  const { t } = useTranslation();
  const api = useApi();
  const voices = useQuery({ queryKey: ttsKeys.voices, queryFn: () => ttsApi.voices(api), staleTime: 60_000 });
  // One player for the page: fresh clips and history clips play (and draw) in the same place.
  const player = usePlayer<Clip>();
  return (
    <div className="page">
      <PageHeader title={t('speech.title')} subtitle={t('speech.subtitle')} />
      {voices.isPending && <Loading />}
      {voices.error && <ErrorNotice error={voices.error} />}
      {voices.data && voices.data.unavailable.length > 0 && <UnavailableVoices items={voices.data.unavailable} />}
      {voices.data && <Studio player={player} voices={voices.data.voices} defaultVoiceId={voices.data.defaultVoiceId} maxLength={voices.data.maxTextLength} />}
      <HistoryCard onPlay={(clip) => player.load(clip, true)} />
    </div>
  );
}

/** Installed voice files that will not run here: said once, with the reason, instead of failing at synthesis. */
function UnavailableVoices({ items }: { items: TtsUnavailableVoice[] }) {
  const { t } = useTranslation();
  return (
    <Notice tone="warning">
      <strong>{t('speech.unavailableTitle', { count: items.length })}</strong>
      <ul className="unavailable-voices" data-testid="unavailable-voices">
        {items.map((v) => (
          <li key={`${v.modelId}:${v.file}`}>
            {t('speech.unavailableItem')} <Ltr className="mono">{v.repoId ? `${v.repoId}/${v.file}` : v.file}</Ltr>
            {': '}
            <Ltr>{v.reason}</Ltr>
          </li>
        ))}
      </ul>
    </Notice>
  );
}

function clipFrom(wav: ArrayBuffer, fields: Omit<Clip, 'url' | 'audio'>): Clip {
  return { ...playableClip(wav), ...fields };
}

function Studio({ player, voices, defaultVoiceId, maxLength }: { player: Player<Clip>; voices: TtsVoice[]; defaultVoiceId: string; maxLength: number }) {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const queryClient = useQueryClient();
  const [text, setText] = useState(() => t(SAMPLE_TEXT_KEY));
  const [voiceId, setVoiceId] = useState(voices.some((v) => v.id === defaultVoiceId) ? defaultVoiceId : (voices[0]?.id ?? ''));
  const [rate, setRate] = useState(1);
  const [lengthScale, setLengthScale] = useState<number | null>(null);
  const [noiseScale, setNoiseScale] = useState<number | null>(null);
  const [speakerId, setSpeakerId] = useState(0);
  const [save, setSave] = useState(true);
  const [fieldError, setFieldError] = useState('');
  const voice = voices.find((v) => v.id === voiceId) ?? null;
  const length = codePoints(text);

  const synth = useMutation({
    mutationFn: async () => {
      const params: TtsParams = {
        text,
        voiceId,
        // A VITS model speaks at its own pace (the server refuses a rate for it).
        ...(rate !== 1 && voice?.engine !== 'vits' ? { rate } : {}),
        ...(voice?.engine === 'piper' && lengthScale !== null ? { lengthScale } : {}),
        ...(voice?.engine === 'piper' && noiseScale !== null ? { noiseScale } : {}),
        ...(voice && voice.speakers > 1 ? { speakerId } : {}),
      };
      return ttsApi.synthesize(api, params, save);
    },
    onSuccess: (res) => {
      player.load(
        clipFrom(res.wav, { text, voiceName: voice?.name ?? voiceId, clipId: res.clipId, historyId: res.historyId, computeMs: res.elapsedMs }),
        true,
      );
      if (res.historyId) void queryClient.invalidateQueries({ queryKey: ttsKeys.history });
    },
  });
  const cause = synthesisCause(synth.error);
  const keep = useMutation({
    mutationFn: (clipId: string) => ttsApi.keep(api, clipId),
    onSuccess: (item) => {
      void queryClient.invalidateQueries({ queryKey: ttsKeys.history });
      if (player.clip) player.load({ ...player.clip, historyId: item.id }, false);
    },
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setFieldError(t('errors.codes.EMPTY_TEXT'));
      return;
    }
    if (length > maxLength) {
      setFieldError(t('speech.tooLong', { max: f.number(maxLength) }));
      return;
    }
    setFieldError('');
    synth.mutate();
  };

  const clip = player.clip;
  const nc = voice?.license?.toLowerCase().includes('nc') ?? false;

  return (
    <div className="grid speech-grid">
      <Card title={t('speech.compose')}>
        <form className="form" onSubmit={onSubmit} noValidate>
          <div className="field">
            <label className="field-label" htmlFor="tts-text">
              {t('speech.text')}
            </label>
            <textarea
              id="tts-text"
              className="textarea speech-text"
              dir="auto"
              lang="fa"
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setFieldError('');
              }}
              aria-invalid={fieldError ? true : undefined}
              aria-describedby="tts-count"
            />
            <div className="row-between">
              {fieldError ? (
                <span className="field-error" role="alert">
                  {fieldError}
                </span>
              ) : (
                <span className="field-hint">{t('speech.textHint')}</span>
              )}
              <span id="tts-count" className={length > maxLength ? 'field-error' : 'field-hint'}>
                {t('speech.count', { n: f.number(length), max: f.number(maxLength) })}
              </span>
            </div>
          </div>

          <div className="field">
            <label className="field-label" htmlFor="tts-voice">
              {t('speech.voice')}
            </label>
            <select id="tts-voice" className="select" value={voiceId} onChange={(e) => setVoiceId(e.target.value)} data-testid="voice-picker">
              {voices.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.engine === 'espeak' ? t('speech.builtin') : t(v.engine === 'vits' ? 'speech.vitsVoiceName' : 'speech.piperVoiceName', { name: v.name })}
                  {v.quality ? ` · ${t(`speech.qualities.${v.quality}`, { defaultValue: v.quality })}` : ''}
                </option>
              ))}
            </select>
            {voice && (
              <div className="meta-line voice-meta">
                <Badge tone={voice.engine === 'espeak' ? 'info' : 'accent'}>{t(`speech.engines.${voice.engine}`)}</Badge>
                <span>
                  {t('speech.language')} <Ltr>{voice.language}</Ltr>
                </span>
                <span>{t('speech.sampleRate', { hz: f.number(voice.sampleRate) })}</span>
                {voice.sourceRepo && <Ltr className="mono">{voice.sourceRepo}</Ltr>}
                {voice.license && (
                  <Badge tone={nc ? 'warning' : 'neutral'}>
                    <Ltr>{voice.license}</Ltr>
                  </Badge>
                )}
              </div>
            )}
            {nc && <Notice tone="warning">{t('speech.nonCommercial')}</Notice>}
            {voices.length === 1 && (
              <p className="field-hint">
                {t('speech.moreVoices')} <Link to="/hub?task=text-to-speech">{t('speech.findVoices')}</Link>
              </p>
            )}
          </div>

          <div className="sliders">
            {voice?.engine === 'vits' ? (
              <p className="field-hint">{t('speech.vitsPace')}</p>
            ) : (
              <Slider
                label={t('speech.rate')}
                value={rate}
                min={TTS_RATE_RANGE.min}
                max={TTS_RATE_RANGE.max}
                step={0.05}
                onChange={setRate}
                display={t('speech.times', { n: f.number(rate, { maximumFractionDigits: 2 }) })}
              />
            )}
            {voice?.engine === 'piper' && (
              <>
                <Slider
                  label={t('speech.lengthScale')}
                  hint={t('speech.lengthScaleHint')}
                  value={lengthScale ?? voice.defaults?.lengthScale ?? 1}
                  min={TTS_LENGTH_SCALE_RANGE.min}
                  max={TTS_LENGTH_SCALE_RANGE.max}
                  step={0.05}
                  onChange={setLengthScale}
                  display={f.number(lengthScale ?? voice.defaults?.lengthScale ?? 1, { maximumFractionDigits: 2 })}
                />
                <Slider
                  label={t('speech.noiseScale')}
                  hint={t('speech.noiseScaleHint')}
                  value={noiseScale ?? voice.defaults?.noiseScale ?? 0.667}
                  min={TTS_NOISE_SCALE_RANGE.min}
                  max={TTS_NOISE_SCALE_RANGE.max}
                  step={0.01}
                  onChange={setNoiseScale}
                  display={f.number(noiseScale ?? voice.defaults?.noiseScale ?? 0.667, { maximumFractionDigits: 2 })}
                />
              </>
            )}
            {voice && voice.speakers > 1 && (
              <label className="field">
                <span className="field-label">{t('speech.speaker')}</span>
                <select className="select" value={speakerId} onChange={(e) => setSpeakerId(Number(e.target.value))}>
                  {Array.from({ length: voice.speakers }, (_, i) => (
                    <option key={i} value={i}>
                      {f.number(i + 1)}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>

          <label className="checkbox">
            <input type="checkbox" checked={save} onChange={(e) => setSave(e.target.checked)} />
            {t('speech.saveToHistory')}
          </label>
          <ErrorNotice error={synth.error} action={cause ? <p>{t(`speech.failure.${cause}`)}</p> : undefined} />
          <div className="form-actions">
            <Button type="submit" variant="primary" icon={<WaveIcon />} busy={synth.isPending}>
              {t('speech.speak')}
            </Button>
          </div>
        </form>
      </Card>

      <Card title={t('speech.player')}>
        {!clip && <p className="muted">{t('speech.nothingYet')}</p>}
        {clip && (
          <div className="player" data-testid="player">
            <PlayerView
              player={player}
              clip={clip}
              fileName={`sokhan-${clip.clipId ?? 'speech'}.wav`}
              actions={
                !clip.historyId &&
                clip.clipId && (
                  <Button onClick={() => clip.clipId && keep.mutate(clip.clipId)} busy={keep.isPending}>
                    {t('speech.keep')}
                  </Button>
                )
              }
            />
            <div className="meta-line">
              <span>{clip.voiceName}</span>
              <span>{t('speech.duration', { s: f.number(clip.audio.durationSeconds, { maximumFractionDigits: 2 }) })}</span>
              <span>{t('speech.sampleRate', { hz: f.number(clip.audio.sampleRate) })}</span>
              {clip.computeMs !== null && <span>{t('speech.made', { ms: f.number(clip.computeMs, { maximumFractionDigits: 0 }) })}</span>}
              {clip.historyId && <Badge tone="success">{t('speech.inHistory')}</Badge>}
            </div>
            <ErrorNotice error={keep.error} />
          </div>
        )}
      </Card>
    </div>
  );
}

function Slider({
  label,
  value,
  min,
  max,
  step,
  onChange,
  display,
  hint,
}: {
  label: string;
  /** One line saying what the setting does to the voice. */
  hint?: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (v: number) => void;
  display: string;
}) {
  return (
    <label className="slider">
      <span className="row-between">
        <span className="field-label">{label}</span>
        <output className="slider-value">{display}</output>
      </span>
      {hint && <span className="field-hint">{hint}</span>}
      <input type="range" min={min} max={max} step={step} value={value} onChange={(e) => onChange(Number(e.target.value))} aria-valuetext={display} />
    </label>
  );
}

function HistoryCard({ onPlay }: { onPlay: (clip: Clip) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const queryClient = useQueryClient();
  const history = useQuery({ queryKey: ttsKeys.history, queryFn: () => ttsApi.history(api) });
  const remove = useMutation({
    mutationFn: (id: string) => ttsApi.remove(api, id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ttsKeys.history }),
  });
  const play = useMutation({
    mutationFn: async (item: TtsHistoryItem) => ({ item, wav: await ttsApi.audio(api, item) }),
    onSuccess: ({ item, wav }) => {
      onPlay(clipFrom(wav, { text: item.text, voiceName: item.voiceName, clipId: null, historyId: item.id, computeMs: null }));
    },
  });
  const items = history.data?.items ?? [];
  return (
    <Card title={t('speech.history')}>
      {history.isPending && <Loading />}
      {history.error && <ErrorNotice error={history.error} />}
      <ErrorNotice error={play.error ?? remove.error} />
      {history.isSuccess && items.length === 0 && <p className="muted">{t('speech.historyEmpty')}</p>}
      <ul className="list" data-testid="tts-history">
        {items.map((item) => (
          <li key={item.id} className="history-row" data-testid="history-row">
            <div className="history-main">
              <p className="history-text" dir="auto">
                {item.text}
              </p>
              <div className="meta-line">
                <span>{item.engine === 'espeak' ? t('speech.builtin') : item.voiceName}</span>
                <span>{t('speech.duration', { s: f.number(item.durationSeconds, { maximumFractionDigits: 1 }) })}</span>
                <span>{f.bytes(item.sizeBytes)}</span>
                <span>{f.relative(item.createdAt)}</span>
              </div>
            </div>
            <div className="inline">
              <Button size="sm" icon={<PlayIcon />} onClick={() => play.mutate(item)} busy={play.isPending && play.variables?.id === item.id}>
                {t('speech.play')}
              </Button>
              <ConfirmButton size="sm" question={t('speech.deleteQuestion')} onConfirm={() => remove.mutate(item.id)}>
                {t('speech.delete')}
              </ConfirmButton>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}

const SYNTHESIS_CAUSES = ['timeout', 'voice-model', 'engine'] as const;

/** What a SYNTHESIS_FAILED answer says went wrong, when it says. */
function synthesisCause(error: unknown): (typeof SYNTHESIS_CAUSES)[number] | null {
  if (!(error instanceof ApiError) || error.code !== 'SYNTHESIS_FAILED') return null;
  const cause = (error.details?.[0] as { cause?: unknown } | undefined)?.cause;
  return SYNTHESIS_CAUSES.find((c) => c === cause) ?? null;
}
