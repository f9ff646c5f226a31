import { useEffect, useRef, useState } from 'react';

/**
 * A polite live region for long-running work. Progress is spoken at a calm rate (at most once per `everyMs`,
 * the latest figure, not every event); a `final` message (done, failed, paused) is spoken at once. What the
 * region holds when it mounts is not a change, so opening a page does not read out every finished item.
 */
export function LiveStatus({ message, final = false, everyMs = 10_000 }: { message: string; final?: boolean; everyMs?: number }) {
  const [spoken, setSpoken] = useState(message);
  const lastAt = useRef<number | null>(null);
  useEffect(() => {
    lastAt.current ??= Date.now();
    if (message === spoken) return;
    const wait = final ? 0 : Math.max(0, lastAt.current + everyMs - Date.now());
    const timer = setTimeout(() => {
      lastAt.current = Date.now();
      setSpoken(message);
    }, wait);
    return () => clearTimeout(timer);
  }, [message, final, everyMs, spoken]);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {spoken}
    </div>
  );
}
