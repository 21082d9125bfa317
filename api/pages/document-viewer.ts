/**
 * The pages' one client script: renders each PDF of the ceremony page with pdf.js, page by page
 * at the width of the page (so a phone shows whole pages, never cut off at the right), and says
 * how many pages there are. Progressive enhancement: without scripts, or when pdf.js fails, the
 * browser's own viewer (<object>) and the "open in a new tab" link stay. pdf.js runs with eval off
 * (the Content-Security-Policy allows scripts from our origin only) and its worker from our origin.
 */
import { PDFJS_PATH, PDFJS_WORKER_PATH } from './paths.js';

/** Plain JavaScript for the browser (no build step); texts come from the markup's data attributes. */
export const DOCUMENT_VIEWER_JS = `
const views = [...document.querySelectorAll('.pdf-view[data-pdf]')];
if (views.length > 0) {
  const pdfjs = await import(${JSON.stringify(PDFJS_PATH)});
  pdfjs.GlobalWorkerOptions.workerSrc = ${JSON.stringify(PDFJS_WORKER_PATH)};
  for (const view of views) await show(view);

  async function show(view) {
    const count = view.parentElement.querySelector('.page-count');
    view.setAttribute('aria-busy', 'true');
    if (count) count.textContent = view.dataset.loading;
    try {
      const pdf = await pdfjs.getDocument({ url: view.dataset.pdf, isEvalSupported: false, disableRange: true, disableStream: true, disableAutoFetch: true }).promise;
      const n = pdf.numPages;
      if (count) count.textContent = n === 1 ? view.dataset.pagesOne : view.dataset.pagesMany.replace('{n}', String(n));
      view.textContent = '';
      view.classList.add('rendered');
      // Every page's place is taken at once (in the first page's proportions), so the layout
      // below, the Sign button included, does not move while the pages are drawn.
      const first = (await pdf.getPage(1)).getViewport({ scale: 1 });
      const canvases = [];
      for (let i = 1; i <= n; i++) {
        const canvas = document.createElement('canvas');
        canvas.className = 'pdf-page';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', view.dataset.pageLabel.replace('{n}', String(i)).replace('{of}', String(n)));
        canvas.style.aspectRatio = first.width + ' / ' + first.height;
        canvases.push(canvas);
      }
      view.append(...canvases);
      for (let i = 1; i <= n; i++) await draw(await pdf.getPage(i), canvases[i - 1], view);
      // Redraw sharp after a rotation or a zoom changes the width.
      let last = view.clientWidth;
      new ResizeObserver(async () => {
        if (Math.abs(view.clientWidth - last) < 8) return;
        last = view.clientWidth;
        const canvases = view.querySelectorAll('canvas');
        for (let i = 0; i < canvases.length; i++) await draw(await pdf.getPage(i + 1), canvases[i], view);
      }).observe(view);
    } catch (err) {
      // The browser's own viewer then, as without scripts (the link below stays too).
      const object = document.createElement('object');
      object.type = 'application/pdf';
      object.data = view.dataset.pdf;
      object.title = view.dataset.frameTitle;
      view.replaceChildren(object);
      view.classList.remove('rendered');
      if (count) count.textContent = view.dataset.failed;
      console.error(err);
    } finally {
      view.removeAttribute('aria-busy');
    }
  }

  async function draw(page, canvas, view) {
    const width = Math.max(view.clientWidth, 200);
    const base = page.getViewport({ scale: 1 });
    const scale = width / base.width;
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: scale * ratio });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = '100%';
    canvas.style.aspectRatio = base.width + ' / ' + base.height;
    await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
  }
}
`;
