/**
 * After a client-side navigation, focus goes to the new page's heading, so keyboard and screen reader users
 * land on (and hear) the page they asked for. Lazy pages and pages that load their data render the heading a
 * moment later: until then the main region holds the focus, and the heading takes it when it appears, unless
 * the user has moved on in the meantime. Returns the cleanup.
 */
export function focusPageHeading(main: HTMLElement, waitMs = 10_000): () => void {
  const idle = () => document.activeElement === main || document.activeElement === document.body || document.activeElement === null;
  const tryHeading = (): boolean => {
    const heading = main.querySelector<HTMLElement>('h1');
    if (!heading) return false;
    if (idle()) {
      // Focusable by script only: Tab does not stop on it.
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
    return true;
  };
  main.focus({ preventScroll: true });
  if (tryHeading()) return () => undefined;
  const observer = new MutationObserver(() => {
    if (tryHeading()) stop();
  });
  const timer = setTimeout(() => stop(), waitMs);
  function stop() {
    observer.disconnect();
    clearTimeout(timer);
  }
  observer.observe(main, { childList: true, subtree: true });
  return stop;
}
