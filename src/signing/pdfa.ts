/**
 * A PDF/A claim of an input, checked rather than believed. The signed PDF declares PDF/A-3b only
 * when every PDF put into it is PDF/A; it copies their pages as they are and adds an sRGB output
 * intent, so what it relies on from each input is:
 *
 * - XMP metadata whose pdfaid claim is one that exists (part 1 to 4 with a fitting conformance);
 * - a PDF/A output intent (GTS_PDFA1) with an ICC profile that is RGB or grey, which gives its
 *   device colours a meaning our sRGB intent keeps (a CMYK intent would not fit ours). An input
 *   without one could still be PDF/A if it used device-independent colour only; proving that
 *   would mean reading every content stream, so such an input is treated as not PDF/A;
 * - every font its pages (and the forms they draw) use embedded.
 *
 * An input that fails is still packaged, as plain PDF 1.7: the problems say why.
 */
import { PDFArray, PDFDict, type PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { decodePdfLibStream } from './pdf/filters.js';

export interface PdfACheck {
  /** The XMP metadata claims PDF/A conformance (pdfaid:part). */
  declared: boolean;
  /** Why the claim does not hold; empty when it does (or when nothing is claimed). */
  problems: string[];
}

/** Forms inside forms: a bound on how deep and how many resource dictionaries are walked. */
const MAX_RESOURCE_DEPTH = 8;
const MAX_RESOURCE_DICTS = 2_000;

function xmpOf(pdf: PDFDocument): string | undefined {
  const metadata = pdf.catalog.lookup(PDFName.of('Metadata'));
  if (!(metadata instanceof PDFRawStream)) return undefined;
  try {
    return Buffer.from(decodePdfLibStream(metadata)).toString('utf8');
  } catch {
    return undefined;
  }
}

/** A pdfaid property, written as an element or as an attribute. */
function pdfaid(xmp: string, name: 'part' | 'conformance'): string | undefined {
  const m =
    xmp.match(new RegExp(`pdfaid:${name}\\s*>\\s*([^<\\s]+)\\s*<`)) ??
    xmp.match(new RegExp(`pdfaid:${name}\\s*=\\s*["']([^"']+)["']`));
  return m?.[1];
}

function claimProblems(part: string, conformance: string | undefined): string[] {
  const allowed: Record<string, (string | undefined)[]> = {
    '1': ['A', 'B'],
    '2': ['A', 'B', 'U'],
    '3': ['A', 'B', 'U'],
    '4': [undefined, 'E', 'F'],
  };
  const fits = allowed[part];
  if (!fits) return [`its XMP claims PDF/A part ${part}, which does not exist`];
  if (!fits.includes(conformance?.toUpperCase())) {
    return [`its XMP claims PDF/A-${part} with conformance ${conformance ?? '(none)'}, which does not exist`];
  }
  return [];
}

function outputIntentProblems(pdf: PDFDocument): string[] {
  const intents = pdf.catalog.lookup(PDFName.of('OutputIntents'));
  const list = intents instanceof PDFArray ? intents.asArray().map((i) => pdf.context.lookup(i)) : [];
  const pdfaIntent = list.find(
    (i): i is PDFDict => i instanceof PDFDict && i.lookup(PDFName.of('S')) === PDFName.of('GTS_PDFA1'),
  );
  if (!pdfaIntent) return ['it has no PDF/A output intent (GTS_PDFA1)'];
  const profile = pdfaIntent.lookup(PDFName.of('DestOutputProfile'));
  if (!(profile instanceof PDFRawStream)) return ['its output intent has no ICC profile'];
  const components = profile.dict.lookup(PDFName.of('N'));
  const n = components ? Number(components.toString()) : Number.NaN;
  if (n !== 1 && n !== 3)
    return [`its output intent's ICC profile has ${components ?? 'no'} components, not RGB or grey`];
  return [];
}

function fontIsEmbedded(pdf: PDFDocument, font: PDFDict): boolean {
  const subtype = font.lookup(PDFName.of('Subtype'));
  // Type 3 glyphs are content streams inside the font: nothing to embed.
  if (subtype === PDFName.of('Type3')) return true;
  let described = font;
  if (subtype === PDFName.of('Type0')) {
    const descendants = font.lookup(PDFName.of('DescendantFonts'));
    const first = descendants instanceof PDFArray ? pdf.context.lookup(descendants.get(0)) : undefined;
    if (!(first instanceof PDFDict)) return false;
    described = first;
  }
  const descriptor = described.lookup(PDFName.of('FontDescriptor'));
  if (!(descriptor instanceof PDFDict)) return false;
  return ['FontFile', 'FontFile2', 'FontFile3'].some((k) => descriptor.has(PDFName.of(k)));
}

const fontName = (font: PDFDict, key: PDFName) =>
  font.lookup(PDFName.of('BaseFont'))?.toString().replace(/^\//, '') ?? key.asString().replace(/^\//, '');

/** Fonts of the pages' resources and of the forms they draw, walked with bounds. */
function fontProblems(pdf: PDFDocument): string[] {
  const missing = new Set<string>();
  const seen = new Set<PDFDict>();
  const visit = (resources: unknown, depth: number) => {
    const dict = resources instanceof PDFRef ? pdf.context.lookup(resources) : resources;
    if (!(dict instanceof PDFDict) || seen.has(dict) || depth > MAX_RESOURCE_DEPTH) return;
    if (seen.size >= MAX_RESOURCE_DICTS) return;
    seen.add(dict);
    const fonts = dict.lookup(PDFName.of('Font'));
    if (fonts instanceof PDFDict) {
      for (const [key, ref] of fonts.entries()) {
        const font = pdf.context.lookup(ref);
        if (font instanceof PDFDict && !fontIsEmbedded(pdf, font)) missing.add(fontName(font, key));
      }
    }
    const xobjects = dict.lookup(PDFName.of('XObject'));
    if (xobjects instanceof PDFDict) {
      for (const [, ref] of xobjects.entries()) {
        const x = pdf.context.lookup(ref);
        if (x instanceof PDFRawStream && x.dict.lookup(PDFName.of('Subtype')) === PDFName.of('Form')) {
          visit(x.dict.get(PDFName.of('Resources')), depth + 1);
        }
      }
    }
  };
  for (const page of pdf.getPages()) visit(page.node.Resources(), 0);
  if (seen.size >= MAX_RESOURCE_DICTS) return ['it has too many resource dictionaries to check'];
  return missing.size > 0 ? [`fonts not embedded: ${[...missing].sort().join(', ')}`] : [];
}

export function checkPdfA(pdf: PDFDocument): PdfACheck {
  const xmp = xmpOf(pdf);
  const part = xmp ? pdfaid(xmp, 'part') : undefined;
  if (!xmp || !part) return { declared: false, problems: [] };
  return {
    declared: true,
    problems: [
      ...claimProblems(part, pdfaid(xmp, 'conformance')),
      ...outputIntentProblems(pdf),
      ...fontProblems(pdf),
    ],
  };
}
