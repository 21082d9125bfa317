/**
 * The client script of a waiting signer page (served from our origin; the CSP allows no inline
 * script): it polls the page's progress endpoint and reloads the page once the recorded state
 * changes (another signer signed, the signed document is ready, the copy went out), so nobody
 * has to reload by hand. Only pages in a waiting state carry `data-watch`; the poll slows down
 * after a few minutes and stops after an hour (then the page still works by reloading).
 */
export const PROGRESS_WATCH_JS = `
const watched = document.querySelector('[data-watch]');
if (watched) {
  const url = watched.getAttribute('data-watch');
  const seen = watched.getAttribute('data-state');
  const started = Date.now();
  const FAST_MS = 3000, SLOW_MS = 30000, FAST_FOR_MS = 5 * 60 * 1000, STOP_AFTER_MS = 60 * 60 * 1000;
  const next = () => {
    const elapsed = Date.now() - started;
    if (elapsed < STOP_AFTER_MS) setTimeout(tick, elapsed < FAST_FOR_MS ? FAST_MS : SLOW_MS);
  };
  const tick = async () => {
    try {
      // A lapsed login answers with a redirect to the login: not followed, the watch just stops.
      const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', redirect: 'manual' });
      if (!res.ok) return;
      const body = await res.json();
      if (body.state !== seen) {
        location.reload();
        return;
      }
      if (!body.waiting) return;
    } catch {
      // A network hiccup: try again at the next tick.
    }
    next();
  };
  next();
}
`;
