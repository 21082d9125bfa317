/**
 * The signing page's document viewer (served from our origin; the Content-Security-Policy allows
 * no inline script and no eval). It shows each PDF with pdf.js in one of two views:
 *
 * - Pages: every page drawn on a canvas sized by devicePixelRatio × zoom (redrawn when either
 *   changes, so it stays sharp), with pdf.js's text layer over it (selectable, read by screen
 *   readers). Only pages near the screen are drawn; far ones give their canvas back.
 * - Text (reading mode): the text of each page reflowed into paragraphs at the page's own font
 *   size, scaled by the zoom.
 *
 * The first view is the one in which body text is at least 12 CSS px: pages where they are wide
 * enough (a desktop), reading mode where they are not (a phone); the note by the switch says so.
 * A document is fetched (and its opening recorded) only when the reader comes near it. The bar at
 * the foot says where the reader is ("Document 2 of 3 · Page 5 of 24"), following the scroll.
 * Without scripts, or when pdf.js fails, the browser's own viewer and the "open" link stay.
 */
import { PDFJS_PATH, PDFJS_WORKER_PATH } from './paths.js';

/** Plain JavaScript for the browser (no build step); texts come from the markup's data attributes. */
export const DOCUMENT_VIEWER_JS = `
const MIN_TEXT_PX = 12;
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
// A canvas larger than this (in device pixels) is drawn at a lower resolution instead.
const MAX_CANVAS_PIXELS = 16 * 1024 * 1024;

const views = [...document.querySelectorAll('.pdf-view[data-pdf]')];
const tools = document.querySelector('.viewer-tools');
const where = document.querySelector('.action-bar .where');
const note = document.getElementById('view-note');
const state = { mode: null, chosen: false, zoom: 1, docs: [] };

keepFocusAboveBar();

if (views.length > 0) {
  const pdfjs = await import(${JSON.stringify(PDFJS_PATH)});
  pdfjs.GlobalWorkerOptions.workerSrc = ${JSON.stringify(PDFJS_WORKER_PATH)};
  // Each document is fetched when the reader comes within a screen of it.
  // Until then each keeps a screen and a half of room, so the ones below are not near at once;
  // "near" looks ahead only (a jump to the third document does not fetch the second above it).
  const started = new Set();
  const start = (view) => {
    if (started.has(view)) return;
    started.add(view);
    near.unobserve(view);
    load(pdfjs, view);
  };
  const near = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) start(e.target);
  }, { rootMargin: '0px 0px 50% 0px' });
  for (const view of views) {
    view.classList.add('waiting');
    near.observe(view);
  }
  // A link to a document (the list, "next document") fetches it at once.
  const target = () => {
    const section = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    const view = section?.querySelector('.pdf-view[data-pdf]');
    if (view) start(view);
  };
  addEventListener('hashchange', target);
  target();
  setUpTools();
  setUpWhere();
  // A change of devicePixelRatio (the browser's zoom, another screen) redraws sharp.
  const watchRatio = () => {
    matchMedia('(resolution: ' + devicePixelRatio + 'dppx)').addEventListener('change', () => {
      redrawAll();
      watchRatio();
    }, { once: true });
  };
  watchRatio();
  // A new width (rotation, window) fits the pages again.
  let lastWidth = innerWidth;
  addEventListener('resize', () => {
    if (Math.abs(innerWidth - lastWidth) < 8) return;
    lastWidth = innerWidth;
    relayout();
  });
}

async function load(pdfjs, view) {
  const count = view.parentElement.querySelector('.page-count');
  view.setAttribute('aria-busy', 'true');
  if (count) count.textContent = view.dataset.loading;
  try {
    const pdf = await pdfjs.getDocument({ url: view.dataset.pdf, isEvalSupported: false, disableRange: true, disableStream: true, disableAutoFetch: true }).promise;
    markOpened(view);
    const n = pdf.numPages;
    if (count) count.textContent = n === 1 ? view.dataset.pagesOne : view.dataset.pagesMany.replace('{n}', String(n));
    const doc = { view, pdf, pages: [], n };
    for (let i = 1; i <= n; i++) {
      const page = await pdf.getPage(i);
      const text = await page.getTextContent();
      doc.pages.push({ number: i, page, text, box: null, canvas: null, textLayer: null, drawn: null, task: null });
    }
    if (state.mode === null) chooseMode(doc);
    build(pdfjs, doc);
    state.docs.push(doc);
    view.classList.remove('waiting');
    view.classList.add('rendered');
    showMode();
    updateWhere();
  } catch (err) {
    // The browser's own viewer then, as without scripts (the link below stays too).
    const object = document.createElement('object');
    object.type = 'application/pdf';
    object.data = view.dataset.pdf;
    object.title = view.dataset.frameTitle;
    view.replaceChildren(object);
    view.classList.remove('rendered', 'waiting');
    if (count) count.textContent = view.dataset.failed;
    console.error(err);
  } finally {
    view.setAttribute('aria-busy', 'false');
  }
}

/** The document was fetched, so its opening is recorded: its mark in the list says so. */
function markOpened(view) {
  const id = view.closest('[data-doc-id]')?.dataset.docId;
  const item = id && document.querySelector('[data-mark-for="' + id + '"]');
  if (item && item.dataset.docMark === 'NOT_OPENED') {
    item.dataset.docMark = 'OPENED';
    const mark = item.querySelector('.doc-mark');
    mark.textContent = mark.dataset.opened;
  }
}

/** The usual height of the text on a page, in PDF points: the median of its items' heights. */
function bodyTextHeight(page) {
  const heights = page.text.items.filter((it) => it.str && it.str.trim()).map((it) => Math.hypot(it.transform[2], it.transform[3])).sort((a, b) => a - b);
  return heights.length ? heights[Math.floor(heights.length / 2)] : 0;
}

/** Pages where their body text is at least 12 CSS px at the width they fit, else reading mode. */
function chooseMode(doc) {
  const first = doc.pages[0];
  const height = bodyTextHeight(first);
  const scale = fitWidth(doc.view) / first.page.getViewport({ scale: 1 }).width;
  state.mode = height > 0 && height * scale < MIN_TEXT_PX ? 'text' : 'pages';
}

function fitWidth(view) {
  const style = getComputedStyle(view);
  return Math.max(view.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight), 200);
}

function build(pdfjs, doc) {
  const { view } = doc;
  const title = view.dataset.title;
  const pages = document.createElement('div');
  pages.className = 'pdf-pages';
  // Scrolls sideways when zoomed in: reachable by keyboard too.
  pages.tabIndex = 0;
  pages.setAttribute('role', 'group');
  pages.setAttribute('aria-label', title);
  const reading = document.createElement('div');
  reading.className = 'reading';
  for (const p of doc.pages) {
    const label = view.dataset.pageLabel.replace('{n}', String(p.number)).replace('{of}', String(doc.n));
    const box = document.createElement('div');
    box.className = 'pdf-page';
    box.dataset.page = String(p.number);
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', label);
    const canvas = document.createElement('canvas');
    canvas.setAttribute('aria-hidden', 'true');
    const layer = document.createElement('div');
    layer.className = 'textLayer';
    box.append(canvas, layer);
    pages.append(box);
    p.box = box;
    p.canvas = canvas;
    p.layerDiv = layer;
    p.pdfjs = pdfjs;
    const section = document.createElement('section');
    section.className = 'text-page';
    section.dataset.page = String(p.number);
    section.setAttribute('aria-label', label);
    const heading = document.createElement('p');
    heading.className = 'text-page-n';
    heading.textContent = view.dataset.pageOf.replace('{n}', String(p.number)).replace('{of}', String(doc.n));
    section.append(heading, ...reflow(p.text));
    reading.append(section);
  }
  view.replaceChildren(pages, reading);
  doc.pagesDiv = pages;
  doc.reading = reading;
  size(doc);
  // Draws the pages within a screen or two of the view; gives far canvases back.
  doc.observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const p = doc.pages[Number(e.target.dataset.page) - 1];
      p.near = e.isIntersecting;
      if (p.near) draw(p);
      else release(p);
    }
  }, { rootMargin: '150% 0px' });
  for (const p of doc.pages) doc.observer.observe(p.box);
}

/** Each page box at the fitted width × zoom, its --scale-factor (CSS px per PDF point) for the text layer. */
function size(doc) {
  const width = fitWidth(doc.view) * state.zoom;
  for (const p of doc.pages) {
    const base = p.page.getViewport({ scale: 1 });
    const scale = width / base.width;
    p.box.style.width = Math.floor(width) + 'px';
    p.box.style.height = Math.floor(base.height * scale) + 'px';
    p.box.style.setProperty('--scale-factor', String(scale));
    p.scale = scale;
  }
}

async function draw(p) {
  if (state.mode !== 'pages') return;
  const ratio = window.devicePixelRatio || 1;
  const key = p.scale + ':' + ratio;
  if (p.drawn === key) return;
  p.drawn = key;
  if (p.task) p.task.cancel();
  let pixels = p.scale * ratio;
  const base = p.page.getViewport({ scale: 1 });
  const area = base.width * base.height * pixels * pixels;
  if (area > MAX_CANVAS_PIXELS) pixels *= Math.sqrt(MAX_CANVAS_PIXELS / area);
  const viewport = p.page.getViewport({ scale: pixels });
  // Drawn off screen, then swapped in: the old drawing stays until the new one is ready.
  const canvas = document.createElement('canvas');
  canvas.setAttribute('aria-hidden', 'true');
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  p.task = p.page.render({ canvasContext: canvas.getContext('2d'), viewport });
  try {
    await p.task.promise;
  } catch (err) {
    if (err?.name === 'RenderingCancelledException') return;
    throw err;
  } finally {
    p.task = null;
  }
  if (p.drawn !== key) return;
  p.canvas.replaceWith(canvas);
  p.canvas = canvas;
  const cssViewport = p.page.getViewport({ scale: p.scale });
  if (!p.textLayer) {
    p.textLayer = new p.pdfjs.TextLayer({ textContentSource: p.text, container: p.layerDiv, viewport: cssViewport });
    await p.textLayer.render();
  } else {
    p.textLayer.update({ viewport: cssViewport });
  }
}

function release(p) {
  if (p.task) p.task.cancel();
  p.drawn = null;
  p.canvas.width = 0;
  p.canvas.height = 0;
}

function redrawAll() {
  for (const doc of state.docs) for (const p of doc.pages) if (p.near) draw(p);
}

/** Sizes and draws again, keeping the reader at the same place of the same page. */
function relayout() {
  const at = readingPlace();
  for (const doc of state.docs) size(doc);
  document.documentElement.style.setProperty('--reading-zoom', String(state.zoom));
  redrawAll();
  restorePlace(at);
}

/**
 * The text of a page as paragraphs: items on one line are joined, a line is wrapped into the
 * paragraph before unless the gap above it is larger than usual, and larger text stands out.
 */
function reflow(text) {
  const lines = [];
  let line = null;
  for (const it of text.items) {
    if (it.str === undefined) continue;
    const y = it.transform[5];
    const h = Math.hypot(it.transform[2], it.transform[3]) || it.height || 0;
    if (!line || Math.abs(y - line.y) > Math.max(h, line.h) * 0.5) {
      if (line) lines.push(line);
      line = { y, h, text: '' };
    }
    line.text += it.str;
    line.h = Math.max(line.h, h);
    if (it.hasEOL) line.text += ' ';
  }
  if (line) lines.push(line);
  const heights = lines.map((l) => l.h).sort((a, b) => a - b);
  const usual = heights[Math.floor(heights.length / 2)] || 0;
  const paragraphs = [];
  let current = null;
  let previous = null;
  for (const l of lines) {
    const words = l.text.replace(/\\s+/g, ' ').trim();
    if (!words) continue;
    const big = l.h > usual * 1.25;
    const gap = previous ? previous.y - l.y : 0;
    const breaks = !current || big || current.big || gap > Math.max(l.h, previous.h) * 1.6 || gap < 0;
    if (breaks) {
      current = { big, text: words };
      paragraphs.push(current);
    } else if (/[A-Za-zÆØÅæøå]-$/.test(current.text) && /^[a-zæøå]/.test(words)) {
      current.text = current.text.slice(0, -1) + words;
    } else {
      current.text += ' ' + words;
    }
    previous = l;
  }
  return paragraphs.map((para) => {
    const el = document.createElement('p');
    if (para.big) {
      const strong = document.createElement('strong');
      strong.textContent = para.text;
      el.append(strong);
    } else {
      el.textContent = para.text;
    }
    return el;
  });
}

function setUpTools() {
  if (!tools) return;
  tools.addEventListener('click', (e) => {
    const button = e.target.closest('button');
    if (!button) return;
    if (button.dataset.view) {
      const at = readingPlace();
      state.mode = button.dataset.view;
      state.chosen = true;
      showMode();
      restorePlace(at);
    } else if (button.dataset.zoom) {
      const i = ZOOMS.indexOf(state.zoom) + Number(button.dataset.zoom);
      if (i < 0 || i >= ZOOMS.length) return;
      state.zoom = ZOOMS[i];
      relayout();
      showMode();
    }
  });
}

function showMode() {
  if (state.mode === null) return;
  for (const doc of state.docs) {
    doc.pagesDiv.hidden = state.mode !== 'pages';
    doc.reading.hidden = state.mode !== 'text';
  }
  if (state.mode === 'pages') redrawAll();
  if (!tools) return;
  tools.hidden = false;
  for (const b of tools.querySelectorAll('[data-view]')) b.setAttribute('aria-pressed', String(b.dataset.view === state.mode));
  tools.querySelector('.zoom-level').textContent = Math.round(state.zoom * 100) + ' %';
  tools.querySelector('[data-zoom="-1"]').disabled = state.zoom === ZOOMS[0];
  tools.querySelector('[data-zoom="1"]').disabled = state.zoom === ZOOMS[ZOOMS.length - 1];
  if (note) {
    note.textContent = state.mode === 'pages' ? note.dataset.notePages : state.chosen ? note.dataset.noteReadingChosen : note.dataset.noteReading;
    note.hidden = false;
  }
  updateWhere();
}

/** The line a reader reads at: a third down the screen (above the bar at the foot). */
function readingLine() {
  return innerHeight / 3;
}

/** The document section and page at the reading line. */
function here() {
  const y = readingLine();
  const sections = [...document.querySelectorAll('section.document[data-doc]')];
  let section = sections[0];
  for (const s of sections) if (s.getBoundingClientRect().top <= y) section = s;
  if (!section) return null;
  const selector = state.mode === 'text' ? '.text-page' : '.pdf-page';
  const pages = [...section.querySelectorAll(selector)].filter((el) => el.offsetParent !== null);
  let page = pages[0] ?? null;
  for (const p of pages) if (p.getBoundingClientRect().top <= y) page = p;
  return { section, page, pages: pages.length };
}

function readingPlace() {
  const h = here();
  if (!h?.page) return null;
  const rect = h.page.getBoundingClientRect();
  return { section: h.section, number: h.page.dataset.page, fraction: (readingLine() - rect.top) / Math.max(rect.height, 1) };
}

function restorePlace(at) {
  if (!at) return;
  const selector = state.mode === 'text' ? '.text-page' : '.pdf-page';
  const page = at.section.querySelector(selector + '[data-page="' + at.number + '"]');
  if (!page) return;
  // (The pages take no part in the browser's scroll anchoring, which would move them a second time.)
  const rect = page.getBoundingClientRect();
  scrollTo(0, scrollY + rect.top + Math.min(Math.max(at.fraction, 0), 1) * rect.height - readingLine());
}

/**
 * A control reached by keyboard behind the bar at the foot is scrolled up above it (the browser
 * only scrolls what is outside the screen). Not a scroll-padding: that would also scroll the page
 * whenever a control in the bar itself takes the focus.
 */
function keepFocusAboveBar() {
  const bar = document.querySelector('.action-bar');
  if (!bar) return;
  document.addEventListener('focusin', (e) => {
    if (bar.contains(e.target) || !(e.target instanceof Element)) return;
    const hidden = e.target.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
    if (hidden > 0) scrollBy(0, hidden + 16);
  });
}

function setUpWhere() {
  if (!where) return;
  let queued = false;
  addEventListener('scroll', () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      updateWhere();
    });
  }, { passive: true });
  updateWhere();
}

/** "Document 2 of 3 · Page 5 of 24" in the bar, for where the reader is now. */
function updateWhere() {
  if (!where) return;
  const h = here();
  if (!h) return;
  const parts = [];
  const docs = Number(where.dataset.docCount);
  if (docs > 1) parts.push(where.dataset.docOf.replace('{n}', h.section.dataset.doc).replace('{of}', String(docs)));
  const view = h.section.querySelector('.pdf-view');
  if (h.page && view) parts.push(view.dataset.pageOf.replace('{n}', h.page.dataset.page).replace('{of}', String(h.pages)));
  where.textContent = parts.join(' · ');
  where.hidden = parts.length === 0;
}
`;
