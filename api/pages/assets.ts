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
.doc-list ol { list-style: none; padding: 0; margin: .5rem 0 1rem; }
.doc-list li { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: baseline; justify-content: space-between;
  border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .4rem 0; }
.doc-list .doc-n { display: block; font-size: .95rem; }
.doc-mark { font-weight: 600; white-space: nowrap; color: var(--muted); }
[data-doc-mark=SIGNED] .doc-mark, [data-doc-mark=OPENED] .doc-mark { color: var(--ok); }
[data-doc-mark=SIGNED] .doc-mark::before, [data-doc-mark=OPENED] .doc-mark::before { content: "✓ "; }
[data-doc-mark=REJECTED] .doc-mark { color: var(--danger); }
.document > .doc-n { color: var(--muted); margin: .5rem 0 0; }
.document h3 { margin: .25rem 0 .5rem; }
.next-doc { margin: .75rem 0 .25rem; }
.viewer-tools { display: flex; flex-wrap: wrap; gap: .35rem 1rem; align-items: center; }
.viewer-tools[hidden] { display: none; }
.tool-group { display: flex; gap: .35rem; align-items: center; border: none; padding: 0; margin: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.tool-group button { margin-top: 0; padding: .3rem .8rem; }
.tool-group button[aria-pressed=true] { background: var(--brand); color: #fff; }
.tool-group button:disabled { opacity: .45; cursor: default; }
.zoom-level { min-width: 3.5rem; text-align: center; }
.view-note { margin: .5rem 0 1rem; }
.bar-where { display: flex; flex-wrap: wrap; gap: .35rem 1rem; align-items: center; justify-content: space-between; margin: 0 0 .5rem; }
.pdf-view { width: 100%; }
.pdf-view.waiting { min-height: 150vh; }
.pdf-view.rendered { background: var(--tint); padding: .5rem; border-radius: 4px; }
/* The viewer keeps the reader's place itself when it resizes pages (no scroll anchoring inside). */
.pdf-pages { overflow-x: auto; overflow-anchor: none; }
.reading { overflow-anchor: none; }
.pdf-pages[hidden], .reading[hidden] { display: none; }
.pdf-page { position: relative; margin: 0 auto .5rem; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.35); }
.pdf-page canvas { display: block; width: 100%; height: 100%; }
/* pdf.js's text layer: transparent text laid exactly over the drawn page, to select and to read aloud. */
.textLayer { position: absolute; inset: 0; overflow: clip; line-height: 1; text-align: initial; -webkit-text-size-adjust: none;
  text-size-adjust: none; forced-color-adjust: none; transform-origin: 0 0; z-index: 0; }
.textLayer :is(span, br) { color: transparent; position: absolute; white-space: pre; cursor: text; transform-origin: 0 0; }
.textLayer span.markedContent { top: 0; height: 0; }
.textLayer ::selection { background: rgb(0 0 255 / .25); }
.textLayer br::selection { background: transparent; }
.hiddenCanvasElement { display: none; position: absolute; width: 0; height: 0; }
.reading { background: #fff; padding: .25rem 1rem; font-size: calc(1.0625rem * var(--reading-zoom, 1)); line-height: 1.55; border-radius: 4px; }
.reading p { margin: .6rem 0; overflow-wrap: anywhere; }
.text-page { border-bottom: 1px solid var(--line); padding: .25rem 0 .5rem; }
.text-page:last-child { border-bottom: none; }
.reading .text-page-n { color: var(--muted); font-size: .9rem; margin: .5rem 0 0; }
.page-count { color: var(--muted); margin: .25rem 0; }
/* Sign and Reject at the foot of the screen while reading; in the flow, so nothing stays under it. */
.action-bar { position: sticky; bottom: 0; z-index: 5; background: var(--paper); border-top: 2px solid var(--brand);
  box-shadow: 0 -2px 8px rgba(0,0,0,.15); margin: 1.5rem -1.5rem 0; padding: .5rem 1.5rem .75rem; }
.action-bar .where { margin: 0; font-size: .95rem; color: var(--muted); }
.bar-actions { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-start; }
.bar-actions form.sign { display: flex; flex-wrap: wrap; gap: .5rem; }
.bar-actions button { margin-top: 0; }
form.sign button { font-size: 1.15rem; padding: .6rem 2rem; }
details.reject { margin: 0; }
details.reject[open] { flex-basis: 100%; order: 2; }
details.reject summary { display: inline-block; margin: 0; padding: .6rem 1rem; border: 2px solid var(--brand); border-radius: 4px;
  color: var(--brand); font-weight: 600; }
details.reject form { max-width: 32rem; }
details.reject textarea { min-height: 4rem; }
.reject-title { font-weight: 600; margin: .75rem 0 0; }
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
@media (max-width: 40rem) { main { padding: 1rem; } h1 { font-size: 1.5rem; } header.site { padding: .75rem 1rem; }
  .action-bar { margin: 1rem -1rem 0; padding: .5rem 1rem .75rem; }
  .bar-actions form.sign { flex: 1 1 8rem; } .bar-actions form.sign button { flex: 1; padding: .6rem 1rem; }
  .document { border-width: 1px 0 0; border-radius: 0; padding: .5rem 0 0; }
  .pdf-view.rendered { padding: .25rem 0; } .reading { padding: .25rem .75rem; } }
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
