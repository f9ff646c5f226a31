import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../app/preferences';
import { DownloadIcon, PauseIcon, PlayIcon, StopIcon } from '../../components/icons';
import { Button } from '../../components/ui';
import { Waveform } from './Waveform';
import { parseWav, type PcmAudio } from './wav';

/** A WAV ready to play: its object URL and its samples (for the waveform). */
export interface PlayableClip {
  url: string;
  audio: PcmAudio;
}

/** The WAV bytes as a clip; the URL is released by the player when another clip replaces it. */
export function playableClip(wav: ArrayBuffer): PlayableClip {
  return { url: URL.createObjectURL(new Blob([wav], { type: 'audio/wav' })), audio: parseWav(wav) };
}

/** One audio element per page: whatever clip is loaded plays (and draws) in the same place. */
export function usePlayer<C extends PlayableClip>() {
  const audioRef = useRef<HTMLAudioElement | null>(null);
  const [clip, setClip] = useState<C | null>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);

  useEffect(() => {
    const el = new Audio();
    audioRef.current = el;
    const onTime = () => setTime(el.currentTime);
    const onEnd = () => {
      setPlaying(false);
      setTime(0);
    };
    const onPause = () => setPlaying(false);
    const onPlay = () => setPlaying(true);
    el.addEventListener('timeupdate', onTime);
    el.addEventListener('ended', onEnd);
    el.addEventListener('pause', onPause);
    el.addEventListener('play', onPlay);
    return () => {
      el.pause();
      el.removeAttribute('src');
      el.removeEventListener('timeupdate', onTime);
      el.removeEventListener('ended', onEnd);
      el.removeEventListener('pause', onPause);
      el.removeEventListener('play', onPlay);
    };
  }, []);

  // The object URL of the previous clip is released when a new one replaces it.
  useEffect(() => () => (clip ? URL.revokeObjectURL(clip.url) : undefined), [clip]);

  const load = useCallback((next: C, autoplay: boolean) => {
    const el = audioRef.current;
    setClip(next);
    setTime(0);
    if (!el) return;
    el.src = next.url;
    if (autoplay) void el.play().catch(() => setPlaying(false));
  }, []);
  const toggle = useCallback(() => {
    const el = audioRef.current;
    if (!el || !el.src) return;
    if (el.paused) void el.play().catch(() => setPlaying(false));
    else el.pause();
  }, []);
  const stop = useCallback(() => {
    const el = audioRef.current;
    if (!el) return;
    el.pause();
    el.currentTime = 0;
    setTime(0);
  }, []);
  const seek = useCallback((seconds: number) => {
    const el = audioRef.current;
    if (!el || !el.src) return;
    el.currentTime = seconds;
    setTime(seconds);
  }, []);
  const getTime = useCallback(() => audioRef.current?.currentTime ?? 0, []);
  return { clip, playing, time, load, toggle, stop, seek, getTime };
}

export type Player<C extends PlayableClip = PlayableClip> = ReturnType<typeof usePlayer<C>>;
/** What the controls use of a player (any clip type). */
type PlayerControls = Pick<Player, 'time' | 'playing' | 'toggle' | 'stop' | 'seek' | 'getTime'>;

export function clockTime(seconds: number, formatNumber: (n: number, o?: Intl.NumberFormatOptions) => string): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${formatNumber(Math.floor(s / 60))}:${formatNumber(s % 60, { minimumIntegerDigits: 2 })}`;
}

/** The loaded clip: its waveform (a seek slider), play/pause, stop, the time and a WAV download; `actions` go beside them. */
export function PlayerView({ player, clip, fileName, actions }: { player: PlayerControls; clip: PlayableClip; fileName: string; actions?: ReactNode }) {
  const { t } = useTranslation();
  const f = useFormat();
  const timeText = `${clockTime(player.time, f.number)} / ${clockTime(clip.audio.durationSeconds, f.number)}`;
  return (
    <>
      <Waveform
        audio={clip.audio}
        getTime={player.getTime}
        label={t('speech.waveform', { s: f.number(clip.audio.durationSeconds, { maximumFractionDigits: 1 }) })}
        seekLabel={t('speech.seek')}
        time={player.time}
        timeText={timeText}
        onSeek={player.seek}
      />
      <div className="player-controls">
        <Button variant="primary" icon={player.playing ? <PauseIcon /> : <PlayIcon />} onClick={player.toggle} data-testid="play">
          {player.playing ? t('speech.pause') : t('speech.play')}
        </Button>
        <Button icon={<StopIcon />} onClick={player.stop}>
          {t('speech.stop')}
        </Button>
        <span className="player-time" dir="ltr">
          {timeText}
        </span>
        <a className="btn" href={clip.url} download={fileName} data-testid="download-wav">
          <DownloadIcon />
          <span>{t('speech.downloadWav')}</span>
        </a>
        {actions}
      </div>
    </>
  );
}
