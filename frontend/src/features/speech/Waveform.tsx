import { useEffect, useId, useMemo, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { peaks, type PcmAudio } from './wav';

const BARS = 160;

/**
 * The clip's shape as bars on a canvas; the played part is drawn in the accent colour and follows the
 * audio element's clock. Time runs left to right, as on any player.
 */
export function Waveform({
  audio,
  getTime,
  label,
  seekLabel,
  time,
  timeText,
  onSeek,
}: {
  audio: PcmAudio;
  getTime: () => number;
  /** What the clip is (its length), said after the slider's name. */
  label: string;
  seekLabel: string;
  /** The playback position in seconds, and how it reads ("0:03 / 0:07"). */
  time: number;
  timeText: string;
  onSeek: (seconds: number) => void;
}) {
  const descriptionId = useId();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const shape = useMemo(() => peaks(audio, BARS), [audio]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let frame = 0;
    const draw = () => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const dpr = window.devicePixelRatio || 1;
      const width = canvas.clientWidth || 600;
      const height = canvas.clientHeight || 96;
      if (canvas.width !== Math.round(width * dpr)) canvas.width = Math.round(width * dpr);
      if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const style = getComputedStyle(canvas);
      const played = style.getPropertyValue('--accent').trim() || '#5b4cf0';
      const rest = style.getPropertyValue('--border-strong').trim() || '#cbd0de';
      const progress = audio.durationSeconds > 0 ? Math.min(1, getTime() / audio.durationSeconds) : 0;
      const step = width / shape.length;
      const mid = height / 2;
      const peak = Math.max(0.05, ...shape.map(([lo, hi]) => Math.max(-lo, hi)));
      shape.forEach(([lo, hi], i) => {
        const top = mid - (hi / peak) * (mid - 2);
        const bottom = mid - (lo / peak) * (mid - 2);
        ctx.fillStyle = (i + 0.5) / shape.length <= progress ? played : rest;
        ctx.fillRect(i * step + step * 0.15, top, Math.max(1, step * 0.7), Math.max(1.5, bottom - top));
      });
      frame = requestAnimationFrame(draw);
    };
    draw();
    return () => cancelAnimationFrame(frame);
  }, [shape, audio.durationSeconds, getTime]);

  const duration = audio.durationSeconds;
  const seekBy = (delta: number) => onSeek(Math.min(duration, Math.max(0, getTime() + delta)));
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Time runs left to right here in both languages, so the arrows follow the drawing.
    const moves: Record<string, () => void> = {
      ArrowRight: () => seekBy(1),
      ArrowUp: () => seekBy(1),
      ArrowLeft: () => seekBy(-1),
      ArrowDown: () => seekBy(-1),
      PageUp: () => seekBy(5),
      PageDown: () => seekBy(-5),
      Home: () => onSeek(0),
      End: () => onSeek(duration),
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    move();
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    if (box.width > 0) onSeek(Math.min(1, Math.max(0, (e.clientX - box.left) / box.width)) * duration);
  };

  // A slider over the clip: the keyboard and the pointer move the playback position; the drawing is its picture.
  return (
    <div
      dir="ltr"
      className="waveform"
      role="slider"
      tabIndex={0}
      aria-label={seekLabel}
      aria-describedby={descriptionId}
      aria-valuemin={0}
      aria-valuemax={Math.round(duration * 10) / 10}
      aria-valuenow={Math.round(Math.min(time, duration) * 10) / 10}
      aria-valuetext={timeText}
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      data-testid="waveform-slider"
    >
      <span id={descriptionId} className="visually-hidden">
        {label}
      </span>
      <canvas ref={canvasRef} aria-hidden="true" data-testid="waveform" data-bars={shape.length} />
    </div>
  );
}
