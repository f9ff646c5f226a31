import { useEffect, useMemo, useRef } from 'react';
import { peaks, type PcmAudio } from './wav';

const BARS = 160;

/**
 * The clip's shape as bars on a canvas; the played part is drawn in the accent colour and follows the
 * audio element's clock. Time runs left to right, as on any player.
 */
export function Waveform({ audio, getTime, label }: { audio: PcmAudio; getTime: () => number; label: string }) {
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

  return (
    <div dir="ltr" className="waveform">
      <canvas ref={canvasRef} role="img" aria-label={label} data-testid="waveform" data-bars={shape.length} />
    </div>
  );
}
