/**
 * The human-readable part of the signed PDF, built with pdf-lib before anything is signed:
 * every original page on A4 portrait (scaled to fit, never cropped), plain text typeset with an
 * embedded font, the signature page(s) with each signer and the audit summary, and each signer's
 * XAdES attached. PDF/A inputs make the result PDF/A-3b, when their claim holds (./pdfa.ts).
 *
 * Saved with classic cross-reference tables (no object streams) so the signing steps after it can
 * append incremental updates with the small reader in ./pdf.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import {
  AFRelationship,
  concatTransformationMatrix,
  drawObject,
  EncryptedPDFError,
  PDFArray,
  PDFDocument,
  type PDFFont,
  PDFHexString,
  PDFName,
  PDFObjectCopier,
  type PDFPage,
  PDFRawStream,
  type PDFRef,
  PDFString,
  popGraphicsState,
  pushGraphicsState,
  rgb,
} from 'pdf-lib';
import type { SignatureType } from '../job/model.js';
import { type DocumentLanguage, signerIdentifier } from './identifiers.js';
import { decodePdfLibStream } from './pdf/filters.js';
import { readPdfWithinLimits } from './pdf/intake.js';
import { PdfLimitError, withPdfLimits } from './pdf/limits.js';
import { srgbIccProfile } from './pdf/srgb-icc.js';
import { checkPdfA } from './pdfa.js';
import {
  type AuditEntry,
  DocumentUnprocessableError,
  type PackagingDocument,
  type PackagingJob,
  type PackagingSigner,
} from './types.js';

/** A4 portrait in points. */
export const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = 56;
const PRODUCER = 'Esign Orchestrator';

/**
 * A file shipped in src/signing/assets. Next to this module when run from source (tsx, vitest);
 * from a tsc build in dist/src/signing, which does not copy assets, the source tree's copy.
 */
function assetBytes(name: string): Uint8Array {
  const candidates = [
    new URL(`./assets/${name}`, import.meta.url),
    new URL(`../../../src/signing/assets/${name}`, import.meta.url),
  ];
  const found = candidates.find((u) => existsSync(u));
  if (!found) throw new Error(`signing asset ${name} not found (looked in ${candidates.join(', ')})`);
  return readFileSync(found);
}

let fontCache: { regular: Uint8Array; bold: Uint8Array } | undefined;
/** DejaVu Sans (Bitstream Vera licence, see assets/DejaVu-LICENSE.txt): covers æøåÆØÅ and far more. */
function fontBytes() {
  fontCache ??= { regular: assetBytes('DejaVuSans.ttf'), bold: assetBytes('DejaVuSans-Bold.ttf') };
  return fontCache;
}

/**
 * fontkit parses a 750 kB font on every embedFont; the parsed font is immutable for subsetting,
 * so keep one per font file for the life of the process.
 */
const parsedFonts = new WeakMap<Uint8Array, ReturnType<typeof fontkit.create>>();
const cachingFontkit: typeof fontkit = {
  ...fontkit,
  create(data: Uint8Array, postscriptName?: string) {
    const cached = parsedFonts.get(data);
    if (cached) return cached;
    const font = fontkit.create(data, postscriptName);
    memoiseLayout(font);
    parsedFonts.set(data, font);
    return font;
  },
};

/** Laid-out strings kept per font: the labels and words of the signature pages recur in every job. */
const LAID_OUT_KEPT = 4_000;

/**
 * fontkit's layout (shaping with the font's substitution and positioning tables) was a third of a
 * 10-signer packaging (profiled): pdf-lib runs it for every word the wrap measures and again for
 * every line it draws. Its result depends on the string and the features alone and pdf-lib only
 * reads it, so each string is laid out once per process. Calls with a script, language or
 * direction go to fontkit as they are.
 */
function memoiseLayout(font: ReturnType<typeof fontkit.create>): void {
  const layout = font.layout.bind(font);
  const runs = new Map<string, ReturnType<typeof layout>>();
  font.layout = (text: string, features?: Parameters<typeof layout>[1], ...rest: unknown[]) => {
    if (rest.length > 0)
      return (layout as (...args: unknown[]) => ReturnType<typeof layout>)(text, features, ...rest);
    const key = `${features === undefined ? '' : JSON.stringify(features)}\u0000${text}`;
    let run = runs.get(key);
    if (!run) {
      run = layout(text, features);
      // Oldest first in a Map: drop a quarter when full rather than one per miss.
      if (runs.size >= LAID_OUT_KEPT) {
        let drop = LAID_OUT_KEPT / 4;
        for (const old of runs.keys()) {
          if (drop-- <= 0) break;
          runs.delete(old);
        }
      }
      runs.set(key, run);
    }
    return run;
  };
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

export interface PresentationInput {
  job: PackagingJob;
  documents: PackagingDocument[];
  signers: PackagingSigner[];
  audit?: AuditEntry[];
  /** Who seals the document, named on the signature page. */
  sealedBy: string;
  /** Fixes the document dates (creation = completion of the job). */
  createdAt: Date;
}

export interface Presentation {
  bytes: Uint8Array;
  pdfA: boolean;
  /** Inputs that claim PDF/A but are not, and why: the result is then plain PDF 1.7. */
  pdfAProblems: string[];
  /** Per input document, in order: why its PDF/A claim was not kept (empty: none made, or kept). */
  documentPdfAProblems: string[][];
}

export async function presentJob(input: PresentationInput): Promise<Presentation> {
  const sources = await Promise.all(input.documents.map(loadSource));
  // PDF/A out only when every PDF in is PDF/A: one ordinary PDF may bring unembedded fonts or
  // device colours that would make a PDF/A claim false. Text we typeset ourselves always complies.
  const pdfInputs = sources.filter((s) => s.pdf);
  const pdfA = pdfInputs.length > 0 && pdfInputs.every((s) => s.pdfA);

  const out = await PDFDocument.create({ updateMetadata: false });
  out.registerFontkit(cachingFontkit);
  const fonts: Fonts = {
    // Subset fonts are named TAG+Name (ISO 32000-1 §9.6.4), the tag being six capital letters.
    regular: await out.embedFont(fontBytes().regular, { subset: true, customName: 'ESIGNR+DejaVuSans' }),
    bold: await out.embedFont(fontBytes().bold, { subset: true, customName: 'ESIGNB+DejaVuSans-Bold' }),
  };

  for (const [i, source] of sources.entries()) {
    const doc = input.documents[i]!;
    try {
      // One document's content decodes within the limits on PDFs from outside, as at intake.
      const { pdf } = source;
      if (pdf) await withPdfLimits(async () => placePdfPages(out, pdf));
      else placeText(out, fonts, source.text ?? '');
    } catch (e) {
      if (e instanceof DocumentUnprocessableError) throw e;
      if (e instanceof PdfLimitError) throw unprocessableByLimit(doc.fileName, e);
      throw new DocumentUnprocessableError(doc.fileName, `its pages cannot be copied (${String(e)})`, {
        cause: e,
      });
    }
  }
  writeSignaturePages(out, fonts, input);

  for (const [i, signer] of input.signers.entries()) {
    await out.attach(signer.xades, `signatur-${i + 1}.xml`, {
      mimeType: 'application/xml',
      description: `XAdES: ${signer.name}`,
      creationDate: signer.signedAt,
      modificationDate: signer.signedAt,
      afRelationship: AFRelationship.Supplement,
    });
  }

  setMetadata(out, input, pdfA);
  const bytes = await out.save({ useObjectStreams: false, objectsPerTick: Number.POSITIVE_INFINITY });
  const pdfAProblems = sources.flatMap((source, i) =>
    source.pdfAProblems.map((p) => `${input.documents[i]!.fileName} claims PDF/A but ${p}`),
  );
  return { bytes, pdfA, pdfAProblems, documentPdfAProblems: sources.map((source) => source.pdfAProblems) };
}

interface Source {
  pdf?: PDFDocument;
  text?: string;
  pdfA: boolean;
  pdfAProblems: string[];
}

async function loadSource(doc: PackagingDocument): Promise<Source> {
  if (doc.mimeType === 'text/plain') {
    const text = new TextDecoder('utf-8').decode(doc.bytes).replace(/^\uFEFF/, '');
    return { text, pdfA: false, pdfAProblems: [] };
  }
  if (doc.mimeType !== 'application/pdf') {
    throw new DocumentUnprocessableError(doc.fileName, `unsupported type ${doc.mimeType}`);
  }
  const head = Buffer.from(doc.bytes.subarray(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) throw new DocumentUnprocessableError(doc.fileName, 'no PDF header');
  // The check of intake again, before pdf-lib (which bounds nothing) loads it: a document stored
  // before intake checked this, or put in some other way, cannot cost the worker more than that.
  try {
    await readPdfWithinLimits(doc.bytes);
  } catch (e) {
    if (e instanceof PdfLimitError) throw unprocessableByLimit(doc.fileName, e);
    throw new DocumentUnprocessableError(doc.fileName, `it cannot be read (${String(e)})`, { cause: e });
  }
  let pdf: PDFDocument;
  try {
    pdf = await PDFDocument.load(doc.bytes, {
      parseSpeed: Number.POSITIVE_INFINITY,
      updateMetadata: false,
      throwOnInvalidObject: true,
    });
  } catch (e) {
    const reason = e instanceof EncryptedPDFError ? 'it is encrypted' : `it cannot be parsed (${String(e)})`;
    throw new DocumentUnprocessableError(doc.fileName, reason, { cause: e });
  }
  if (pdf.isEncrypted) throw new DocumentUnprocessableError(doc.fileName, 'it is encrypted');
  if (pdf.getPageCount() === 0) throw new DocumentUnprocessableError(doc.fileName, 'it has no pages');
  const pdfA = checkPdfA(pdf);
  return { pdf, pdfA: pdfA.declared && pdfA.problems.length === 0, pdfAProblems: pdfA.problems };
}

function unprocessableByLimit(fileName: string, e: PdfLimitError): DocumentUnprocessableError {
  return new DocumentUnprocessableError(fileName, `it breaks a limit on PDFs (${e.code}: ${e.message})`, {
    cause: e,
  });
}

/**
 * Puts every page of `src` on its own A4 page as a form XObject, scaled to fit and centred.
 *
 * pdf-lib's own embedPages inflates each page's content and deflates it again; a page with a
 * single content stream is instead wrapped as it is stored (same bytes, same /Filter), which
 * keeps a 300-page document from costing hundreds of milliseconds of zlib work, and a stream
 * that inflates to a gigabyte from costing a gigabyte.
 */
async function placePdfPages(out: PDFDocument, src: PDFDocument): Promise<void> {
  const copier = PDFObjectCopier.for(src.context, out.context);
  for (const page of src.getPages()) {
    const crop = page.getCropBox();
    const form = formXObjectOfPage(out, copier, page, crop);
    const rotation = (((page.getRotation().angle % 360) + 360) % 360) as 0 | 90 | 180 | 270;
    const { width: w, height: h } = crop;
    const turned = rotation === 90 || rotation === 270;
    const [shownW, shownH] = turned ? [h, w] : [w, h];
    const scale = Math.min(A4.width / shownW, A4.height / shownH);
    const ox = (A4.width - shownW * scale) / 2;
    const oy = (A4.height - shownH * scale) / 2;
    // /Rotate turns a page clockwise when shown; turn the form the same way about its origin and
    // move it back into the frame.
    const at: Record<typeof rotation, [number, number]> = {
      0: [ox, oy],
      90: [ox, oy + w * scale],
      180: [ox + w * scale, oy + h * scale],
      270: [ox + h * scale, oy],
    };
    const theta = (-rotation * Math.PI) / 180;
    const cos = Math.round(Math.cos(theta)) * scale;
    const sin = Math.round(Math.sin(theta)) * scale;
    const target = out.addPage([A4.width, A4.height]);
    const name = target.node.newXObject('Page', form);
    const [x, y] = at[rotation];
    // A tiny content stream written as is: pdf-lib would deflate each of them on save, and
    // setting up zlib 300 times costs more than the bytes it saves.
    const operators = [
      pushGraphicsState(),
      concatTransformationMatrix(cos, sin, -sin, cos, x, y),
      drawObject(name),
      popGraphicsState(),
    ];
    const content = out.context.stream(operators.map((op) => op.toString()).join('\n'));
    target.node.set(PDFName.of('Contents'), out.context.register(content));
  }
}

function formXObjectOfPage(
  out: PDFDocument,
  copier: PDFObjectCopier,
  page: PDFPage,
  crop: { x: number; y: number; width: number; height: number },
): PDFRef {
  // As stored: pdf-lib's normalizedEntries() would first wrap the content in two more streams
  // (q … Q, which a form does not need), so no page would have a single stream left to wrap.
  const Contents = page.node.Contents();
  const Resources = page.node.getInheritableAttribute(PDFName.of('Resources'));
  const formEntries = {
    Type: 'XObject',
    Subtype: 'Form',
    FormType: 1,
    BBox: [crop.x, crop.y, crop.x + crop.width, crop.y + crop.height],
    // Moves the crop box's lower-left corner to the form's origin.
    Matrix: [1, 0, 0, 1, -crop.x, -crop.y],
    Resources: Resources ? copier.copy(Resources) : out.context.obj({}),
  };
  const single = Contents instanceof PDFArray && Contents.size() === 1 ? Contents.lookup(0) : Contents;
  if (single instanceof PDFRawStream) {
    const dict = out.context.obj(formEntries);
    for (const key of ['Filter', 'DecodeParms'] as const) {
      const v = single.dict.get(PDFName.of(key));
      if (v) dict.set(PDFName.of(key), copier.copy(v));
    }
    return out.context.register(PDFRawStream.of(dict, single.contents));
  }
  // Several content streams (or none): the form gets their decoded bytes joined (as the PDF spec
  // defines a page's content), compressed again with Node's zlib. Decoded within the limits of
  // the caller's withPdfLimits (the document's total, each stream's, the ratio).
  const parts: Uint8Array[] = [];
  if (Contents instanceof PDFArray) {
    for (let i = 0; i < Contents.size(); i++) {
      const s = Contents.lookup(i);
      if (s instanceof PDFRawStream) parts.push(decodePdfLibStream(s), Uint8Array.of(0x0a));
    }
  }
  const dict = out.context.obj({ ...formEntries, Filter: 'FlateDecode' });
  return out.context.register(PDFRawStream.of(dict, deflateSync(Buffer.concat(parts))));
}

/** Writes lines top-down over as many A4 pages as they need. */
class TextFlow {
  private page: PDFPage;
  private y = 0;
  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: Fonts,
  ) {
    this.page = this.newPage();
  }

  private newPage(): PDFPage {
    this.page = this.doc.addPage([A4.width, A4.height]);
    this.y = A4.height - MARGIN;
    return this.page;
  }

  gap(points: number): void {
    this.y -= points;
  }

  /** Starts a new page unless `points` of room are left. */
  keep(points: number): void {
    if (this.y - points < MARGIN) this.newPage();
  }

  paragraph(
    text: string,
    options: { size?: number; bold?: boolean; indent?: number; grey?: boolean } = {},
  ): void {
    const size = options.size ?? 10.5;
    const font = options.bold ? this.fonts.bold : this.fonts.regular;
    const indent = options.indent ?? 0;
    const width = A4.width - 2 * MARGIN - indent;
    const leading = size * 1.35;
    for (const line of wrap(text, font, size, width)) {
      if (this.y - leading < MARGIN) this.newPage();
      this.y -= leading;
      if (line) {
        this.page.drawText(line, {
          x: MARGIN + indent,
          y: this.y,
          size,
          font,
          color: options.grey ? rgb(0.35, 0.35, 0.35) : rgb(0, 0, 0),
        });
      }
    }
  }
}

/** Greedy word wrap; words longer than a line are broken by character. */
/**
 * Greedy word wrap; words longer than a line are broken by character. Widths are measured per
 * word and summed (kerning across a space is negligible): measuring whole growing lines would
 * run the font's layout engine quadratically often on long texts.
 */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const widths = new Map<string, number>();
  const widthOf = (s: string) => {
    let w = widths.get(s);
    if (w === undefined) {
      w = font.widthOfTextAtSize(s, size);
      widths.set(s, w);
    }
    return w;
  };
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const word of raw.split(/(?<= )/)) {
      const w = widthOf(word);
      // The trailing space of the last word on a line does not need to fit.
      if (lineWidth + widthOf(word.trimEnd()) <= width) {
        line += word;
        lineWidth += w;
        continue;
      }
      if (line) lines.push(line.trimEnd());
      let rest = word;
      while (font.widthOfTextAtSize(rest.trimEnd(), size) > width) {
        let n = rest.length - 1;
        while (n > 1 && font.widthOfTextAtSize(rest.slice(0, n), size) > width) n--;
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
      lineWidth = widthOf(rest);
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** C0 controls except line feed (tabs and carriage returns are replaced before), and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\x00-\x09\x0b-\x1f\x7f]/g;

function placeText(out: PDFDocument, fonts: Fonts, text: string): void {
  const clean = text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    // Control characters have no glyphs; drawing them would fail or show boxes.
    .replace(CONTROL_CHARACTERS, '');
  const flow = new TextFlow(out, fonts);
  flow.paragraph(clean, { size: 11 });
}

/** The texts of the pages the service adds, in the job's language. */
const TEXTS = {
  nb: {
    signatures: 'Signaturer',
    sender: 'Avsender',
    orgNumber: 'org.nr.',
    reference: 'Referanse',
    job: 'Oppdrag',
    documents: 'Dokumenter',
    signedBy: 'Signert av',
    signatureType: 'Signaturtype',
    signingService: 'Signeringstjeneste',
    level: 'Sikkerhetsnivå',
    levelHigh: 'høyt',
    levelSubstantial: 'betydelig',
    signed: 'Signert',
    attachment: 'Signaturobjekt: vedlegg',
    audit: 'Revisjonsspor',
    osloTime: 'norsk tid',
    sealed: (by: string) =>
      `Dokumentet er forseglet elektronisk av ${by} og tidsstemplet. ` +
      'Hver signatars signatur ligger vedlagt. Forseglingen kan kontrolleres i enhver PDF-leser.',
    subject: 'Signert oppdrag',
    types: {
      ADVANCED_SIGNATURE: 'Avansert elektronisk signatur (signatarens eget sertifikat)',
      AUTHENTICATED_SIGNATURE: 'Autentisert signatur (bevitnet og forseglet av tjenesten)',
    } satisfies Record<SignatureType, string>,
  },
  en: {
    signatures: 'Signatures',
    sender: 'Sender',
    orgNumber: 'org. no.',
    reference: 'Reference',
    job: 'Job',
    documents: 'Documents',
    signedBy: 'Signed by',
    signatureType: 'Signature type',
    signingService: 'Signing service',
    level: 'Security level',
    levelHigh: 'high',
    levelSubstantial: 'substantial',
    signed: 'Signed',
    attachment: 'Signature object: attachment',
    audit: 'Audit trail',
    osloTime: 'Norwegian time',
    sealed: (by: string) =>
      `The document is sealed electronically by ${by} and time-stamped. ` +
      "Each signer's signature is attached. The seal can be checked in any PDF reader.",
    subject: 'Signed job',
    types: {
      ADVANCED_SIGNATURE: "Advanced electronic signature (the signer's own certificate)",
      AUTHENTICATED_SIGNATURE: 'Authenticated signature (witnessed and sealed by the service)',
    } satisfies Record<SignatureType, string>,
  },
} as const;

const osloTimes = {
  nb: new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', dateStyle: 'short', timeStyle: 'medium' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', dateStyle: 'short', timeStyle: 'medium' }),
};

export function formatOsloTime(date: Date, lang: DocumentLanguage = 'nb'): string {
  return `${osloTimes[lang].format(date)} (${TEXTS[lang].osloTime})`;
}

function writeSignaturePages(out: PDFDocument, fonts: Fonts, input: PresentationInput): void {
  const { job } = input;
  const lang = job.language ?? 'nb';
  const x = TEXTS[lang];
  const flow = new TextFlow(out, fonts);
  flow.paragraph(x.signatures, { size: 18, bold: true });
  flow.gap(6);
  flow.paragraph(job.title, { size: 12, bold: true });
  flow.paragraph(`${x.sender}: ${job.senderName} (${x.orgNumber} ${job.senderOrg})`);
  if (job.reference) flow.paragraph(`${x.reference}: ${job.reference}`);
  flow.paragraph(`${x.job}: ${job.jobId}`, { grey: true });
  flow.gap(8);
  flow.paragraph(x.documents, { size: 12, bold: true });
  for (const d of input.documents) {
    flow.paragraph(`${d.title} (${d.fileName})`, { indent: 10 });
    flow.paragraph(`SHA-256 ${createHash('sha256').update(d.bytes).digest('hex')}`, {
      indent: 10,
      size: 8,
      grey: true,
    });
  }
  flow.gap(8);
  flow.paragraph(`${x.signedBy} (${input.signers.length})`, { size: 12, bold: true });
  for (const [i, s] of input.signers.entries()) {
    flow.keep(80);
    flow.gap(4);
    flow.paragraph(`${i + 1}. ${s.name}`, { bold: true, size: 11 });
    const id = signerIdentifier(s, job.identifierInSignedDocuments, lang);
    if (id) flow.paragraph(`${id.label}: ${id.value}`, { indent: 14 });
    flow.paragraph(`${x.signatureType}: ${x.types[s.signatureType]}`, { indent: 14 });
    // The remote signing service that holds the signer's key (BankID, Buypass), when one signed.
    if (s.signingProvider) flow.paragraph(`${x.signingService}: ${s.signingProvider}`, { indent: 14 });
    flow.paragraph(
      `${x.level}: ${s.authenticationLevel} (${s.authenticationLevel === 4 ? x.levelHigh : x.levelSubstantial})`,
      { indent: 14 },
    );
    flow.paragraph(`${x.signed}: ${formatOsloTime(s.signedAt, lang)}`, { indent: 14 });
    flow.paragraph(`${x.attachment} signatur-${i + 1}.xml (XAdES)`, {
      indent: 14,
      grey: true,
      size: 9,
    });
  }
  if (input.audit?.length) {
    flow.gap(10);
    flow.keep(60);
    flow.paragraph(x.audit, { size: 12, bold: true });
    for (const entry of input.audit)
      flow.paragraph(`${formatOsloTime(entry.at, lang)}  ${entry.text}`, { size: 9 });
  }
  flow.gap(12);
  flow.keep(40);
  flow.paragraph(x.sealed(input.sealedBy), { size: 9, grey: true });
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function setMetadata(out: PDFDocument, input: PresentationInput, pdfA: boolean): void {
  const title = input.job.title;
  const created = input.createdAt;
  out.setTitle(title);
  out.setAuthor(input.job.senderName);
  const lang = input.job.language ?? 'nb';
  out.setSubject(`${TEXTS[lang].subject} ${input.job.jobId}`);
  out.setProducer(PRODUCER);
  out.setCreator(PRODUCER);
  out.setCreationDate(created);
  out.setModificationDate(created);
  out.setLanguage(lang === 'en' ? 'en-GB' : 'nb-NO');
  // A permanent document ID derived from the job: the same job always gets the same first ID.
  const id = createHash('sha256').update(`esign-job:${input.job.jobId}`).digest('hex').slice(0, 32);
  out.context.trailerInfo.ID = out.context.obj([PDFHexString.of(id), PDFHexString.of(id)]);
  if (!pdfA) return;

  const iso = created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const xmp = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xmlEscape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>${xmlEscape(input.job.senderName)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${TEXTS[lang].subject} ${xmlEscape(input.job.jobId)}</rdf:li></rdf:Alt></dc:description>
   <xmp:CreateDate>${iso}</xmp:CreateDate>
   <xmp:ModifyDate>${iso}</xmp:ModifyDate>
   <xmp:MetadataDate>${iso}</xmp:MetadataDate>
   <xmp:CreatorTool>${PRODUCER}</xmp:CreatorTool>
   <pdf:Producer>${PRODUCER}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
  const metadata = out.context.stream(new TextEncoder().encode(xmp), {
    Type: 'Metadata',
    Subtype: 'XML',
  });
  out.catalog.set(PDFName.of('Metadata'), out.context.register(metadata));
  addSrgbOutputIntent(out);
}

/** The PDF/A output intent: colours mean sRGB (the profile in ./pdf/srgb-icc.ts). */
export function addSrgbOutputIntent(out: PDFDocument): void {
  const icc = out.context.flateStream(srgbIccProfile(), { N: 3 });
  const intent = out.context.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of('sRGB IEC61966-2.1'),
    Info: PDFString.of('sRGB IEC61966-2.1'),
    DestOutputProfile: out.context.register(icc),
  });
  out.catalog.set(PDFName.of('OutputIntents'), out.context.obj([intent]));
}
