/**
 * The pages' one stylesheet, served from our own origin (the Content-Security-Policy allows no
 * inline styles). Colours keep a contrast ratio of at least 4.5:1 (mostly above 7:1) against
 * their background; focus is always visible.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { DOCUMENT_VIEWER_JS } from './document-viewer.js';
import { STYLESHEET_PATH } from './layout.js';
import { DOCUMENT_VIEWER_PATH, PDFJS_PATH, PDFJS_WORKER_PATH, PROGRESS_WATCH_PATH } from './paths.js';
import { PROGRESS_WATCH_JS } from './progress-watch.js';

const CSS = `
:root { --ink: #1b1b1b; --muted: #4a4a4a; --line: #8a8a8a; --paper: #ffffff; --tint: #f2f4f7;
  --brand: #0b4f8a; --brand-dark: #083a66; --danger: #a4161a; --ok: #1d6b34; --focus: #ffbf47; }
* { box-sizing: border-box; }
body { margin: 0; font: 1.0625rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
.skip { position: absolute; left: -999px; top: 0; background: var(--focus); color: #000; padding: .5rem 1rem; }
.skip:focus { left: 0; z-index: 10; }
header.site { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .75rem 1.5rem; background: var(--brand); color: #fff; }
header.site a, header.site .link { color: #fff; }
.brand { font-weight: 700; font-size: 1.2rem; margin-right: auto; }
.who { display: flex; gap: .75rem; align-items: center; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
main:focus { outline: none; }
h1 { font-size: 1.8rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .75rem; }
a { color: var(--brand); }
a:hover { color: var(--brand-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px #000; }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
.hint { color: var(--muted); font-size: .95rem; margin: .25rem 0; }
input[type=text], input[type=search], input[type=email], input[type=tel], input[type=number], input[type=datetime-local], select, textarea {
  width: 100%; max-width: 32rem; padding: .55rem .6rem; font: inherit; color: var(--ink); background: #fff;
  border: 2px solid var(--line); border-radius: 4px; }
input[type=file] { font: inherit; }
textarea { min-height: 5rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem 1rem; margin: 1rem 0; }
legend { font-weight: 700; padding: 0 .25rem; }
.radio { display: flex; gap: .5rem; align-items: center; font-weight: 400; margin: .4rem 0; }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: .6rem 1.2rem; border-radius: 4px;
  border: 2px solid var(--brand); background: var(--brand); color: #fff; cursor: pointer; text-decoration: none; margin-top: 1rem; }
button:hover, .button:hover { background: var(--brand-dark); color: #fff; }
form > button[type=submit] { display: block; }
button.secondary { background: #fff; color: var(--brand); }
button.danger { background: var(--danger); border-color: var(--danger); }
button.link { background: none; border: none; padding: 0; margin: 0; text-decoration: underline; font-weight: 400; }
form.inline { display: inline; }
.notice { border-left: 6px solid var(--brand); background: var(--tint); padding: .75rem 1rem; margin: 1rem 0; }
.notice.error { border-color: var(--danger); }
.notice.success { border-color: var(--ok); }
.notice ul { margin: .25rem 0 0; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--tint); }
.document { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem 1rem; margin: 1rem 0; }
.document object, .document iframe, .pdf-view object { width: 100%; height: 32rem; border: 1px solid var(--line); }
.document pre { white-space: pre-wrap; background: var(--tint); padding: 1rem; max-height: 32rem; overflow: auto; }
.digest { font-family: ui-monospace, monospace; font-size: .85rem; color: var(--muted); word-break: break-all; }
.actions { display: grid; gap: 1.5rem; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
ul.jobs { list-style: none; padding: 0; }
ul.jobs > li { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: .5rem 0; }
.signer-row { display: grid; gap: 0 1rem; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); }
details summary { cursor: pointer; font-weight: 600; margin: 1rem 0; }
.progress { border-left: 6px solid var(--ok); background: var(--tint); padding: .5rem 1rem; margin: 1rem 0; }
.progress p { margin: .35rem 0; }
.progress p:first-child { font-weight: 600; }
.pdf-view { width: 100%; }
.pdf-view.rendered { background: var(--tint); padding: .5rem; border-radius: 4px; }
.pdf-page { display: block; width: 100%; height: auto; background: #fff; margin: 0 0 .5rem; box-shadow: 0 1px 3px rgba(0,0,0,.35); }
.page-count { color: var(--muted); margin: .25rem 0; }
form.sign button { font-size: 1.15rem; padding: .75rem 2rem; }
details.reject { margin: 1.5rem 0; }
details.reject summary { font-weight: 400; color: var(--brand); text-decoration: underline; }
.field-error { color: var(--danger); font-weight: 600; margin: .25rem 0; }
input[aria-invalid=true], select[aria-invalid=true] { border-color: var(--danger); }
.filters { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: end; }
.filters > div { flex: 1 1 12rem; }
.filters button { margin-top: 0; }
.table-wrap { overflow-x: auto; }
.state-time { display: block; color: var(--muted); font-size: .9rem; }
.signer-events { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: .5rem 0; }
.signer-events div { display: flex; gap: .4rem; }
.signer-events dt { font-weight: 600; }
.signer-events dd { margin: 0; }
@media (max-width: 40rem) { main { padding: 1rem; } h1 { font-size: 1.5rem; } header.site { padding: .75rem 1rem; } }
.button.danger { background: var(--danger); border-color: var(--danger); }
.job-times { display: flex; flex-wrap: wrap; gap: .25rem 2rem; margin: 1rem 0; }
.job-times dt { font-weight: 600; }
.job-times dd { margin: 0; }
.job-message { white-space: pre-line; }
.signer-history ol { margin: .25rem 0; padding-left: 1.25rem; }
.signer-history summary { margin: .5rem 0; }
.item-dates { color: var(--muted); }
ul.jobs li, table.stacked td, .job-documents li, h1 { overflow-wrap: anywhere; }
/* The job list: a table on wide screens, one card a job on narrow ones (each cell with its heading). */
@media (max-width: 48rem) {
  table.stacked thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  table.stacked, table.stacked tbody, table.stacked tr, table.stacked td { display: block; }
  table.stacked tr { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; }
  table.stacked td { border: 0; padding: .15rem 0; }
  table.stacked td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
  table.stacked td:empty { display: none; }
}
`;

/** pdf.js from the installed package, read once: served from our origin, never a CDN. */
const requireFromHere = createRequire(import.meta.url);
const moduleFiles = new Map<string, Promise<string>>();
function packageFile(specifier: string): Promise<string> {
  let file = moduleFiles.get(specifier);
  if (!file) {
    file = readFile(requireFromHere.resolve(specifier), 'utf8');
    moduleFiles.set(specifier, file);
  }
  return file;
}
const JS = { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600' };

export function assetRoutes() {
  const app = new Hono();
  app.get(STYLESHEET_PATH, (c) =>
    c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }),
  );
  app.get(DOCUMENT_VIEWER_PATH, (c) => c.body(DOCUMENT_VIEWER_JS, 200, JS));
  app.get(PROGRESS_WATCH_PATH, (c) => c.body(PROGRESS_WATCH_JS, 200, JS));
  app.get(PDFJS_PATH, async (c) => c.body(await packageFile('pdfjs-dist/build/pdf.min.mjs'), 200, JS));
  app.get(PDFJS_WORKER_PATH, async (c) =>
    c.body(await packageFile('pdfjs-dist/build/pdf.worker.min.mjs'), 200, JS),
  );
  return app;
}
