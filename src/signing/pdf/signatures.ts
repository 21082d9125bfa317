/**
 * The three PAdES baseline steps, each one incremental update of the PDF before it:
 *   B-T   addSealSignature: CMS (ETSI.CAdES.detached) with a signature time-stamp
 *   B-LT  addValidationData: the DSS dictionary with certificates and CRLs
 *   B-LTA addDocumentTimeStamp: an ETSI.RFC3161 document time-stamp over all of it
 */
import { createHash } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import { addUnsignedAttribute, attribute, encodeContentInfo, OID, sha256, signCms } from '../cms.js';
import type { CertifiedKey } from '../keys.js';
import type { TimeStamper } from '../tsa.js';
import {
  addSignatureField,
  byteRangePlaceholder,
  contentsPlaceholder,
  fillSignature,
  IncrementalUpdate,
  prepareSignature,
} from './incremental.js';
import { dict, name, PdfDict, PdfRef, PdfStream, PdfString, pdfDate } from './objects.js';
import { PdfReader } from './reader.js';

/** Bytes reserved for a CMS blob: the chain, the attributes and a time-stamp token fit with room. */
const SIGNATURE_CAPACITY = 16_384;

function lastPage(reader: PdfReader): PdfRef {
  const page = reader.lastPageRef();
  if (!page) throw new Error('the PDF has no pages');
  return page;
}

export interface SealOptions {
  signer: CertifiedKey;
  timeStamper: TimeStamper;
  /** Claimed signing time, written as /M (the CMS carries none, as PAdES baseline requires). */
  signedAt: Date;
  fieldName?: string;
  reason?: string;
  location?: string;
}

/** Adds the service seal (PAdES B-T) as an incremental update. */
export async function addSealSignature(pdf: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  const reader = PdfReader.open(pdf);
  const update = new IncrementalUpdate(reader);
  const sigDict = dict({
    Type: name('Sig'),
    Filter: name('Adobe.PPKLite'),
    SubFilter: name('ETSI.CAdES.detached'),
    ByteRange: byteRangePlaceholder(),
    Contents: contentsPlaceholder(SIGNATURE_CAPACITY),
    M: PdfString.of(pdfDate(options.signedAt)),
    Name: PdfString.of(options.signer.certificate.subjectName.getField('CN')[0] ?? 'Service seal'),
    Reason: options.reason ? PdfString.of(options.reason) : undefined,
    Location: options.location ? PdfString.of(options.location) : undefined,
  });
  addSignatureField(update, { fieldName: options.fieldName ?? 'Seal', sigDict, page: lastPage(reader) });
  const prepared = prepareSignature(update.build());
  const built = await signCms({
    signer: options.signer,
    contentType: OID.data,
    contentDigest: prepared.digest,
  });
  const token = await options.timeStamper.timestamp(sha256(built.signatureValue));
  addUnsignedAttribute(built, attribute(OID.signatureTimeStampToken, token));
  return fillSignature(prepared, encodeContentInfo(built));
}

export interface ValidationData {
  certificates: x509.X509Certificate[];
  crls: Uint8Array[];
}

/**
 * Adds the Document Security Store (PAdES B-LT): every certificate and CRL a validator needs,
 * globally and in a VRI entry per existing signature (keyed by SHA-1 of its /Contents, as
 * ISO 32000-2 §12.8.4.4 defines).
 */
export async function addValidationData(pdf: Uint8Array, data: ValidationData): Promise<Uint8Array> {
  const reader = PdfReader.open(pdf);
  const update = new IncrementalUpdate(reader);
  const rootRef = reader.trailer.get('Root');
  if (!(rootRef instanceof PdfRef)) throw new Error('catalog is not an indirect object');
  const catalog = reader.catalog;
  const existing = reader.dict(catalog.get('DSS'));

  const uniqueCerts = new Map<string, Uint8Array>();
  for (const c of data.certificates) uniqueCerts.set(c.toString('hex'), new Uint8Array(c.rawData));
  const certRefs = [...uniqueCerts.values()].map((der) => update.add(new PdfStream(new PdfDict(), der)));
  const crlRefs = data.crls.map((der) => update.add(new PdfStream(new PdfDict(), der)));

  const vri = (reader.dict(existing?.get('VRI')) ?? new PdfDict()).clone();
  for (const sig of signatureDictionaries(reader)) {
    const contents = sig.get('Contents');
    if (!(contents instanceof PdfString)) continue;
    const key = createHash('sha1').update(trimDer(contents.bytes)).digest('hex').toUpperCase();
    // Existing entries stay as they are: validators treat a changed VRI entry as tampering.
    if (!vri.get(key)) vri.set(key, dict({ Cert: certRefs, CRL: crlRefs }));
  }
  const merge = (key: string, refs: PdfRef[]) => {
    const old = reader.resolve(existing?.get(key));
    return [...(Array.isArray(old) ? old : []), ...refs];
  };
  const dss = dict({
    Type: name('DSS'),
    Certs: merge('Certs', certRefs),
    CRLs: merge('CRLs', crlRefs),
    OCSPs: existing?.get('OCSPs'),
    VRI: update.add(vri),
  });
  const newCatalog = catalog.clone().set('DSS', update.add(dss));
  // Announce the PAdES extension of PDF 1.7 (ESIC extension level 5 covers DSS and doc time-stamps).
  const extensions = (reader.dict(catalog.get('Extensions')) ?? new PdfDict()).clone();
  extensions.set('ESIC', dict({ BaseVersion: name('1.7'), ExtensionLevel: 5 }));
  newCatalog.set('Extensions', extensions);
  update.set(rootRef, newCatalog);
  return update.build().bytes;
}

/** Adds a document time-stamp (PAdES B-LTA) over the whole file as it is now. */
export async function addDocumentTimeStamp(
  pdf: Uint8Array,
  options: { timeStamper: TimeStamper; fieldName?: string },
): Promise<Uint8Array> {
  const reader = PdfReader.open(pdf);
  const update = new IncrementalUpdate(reader);
  const sigDict = dict({
    Type: name('DocTimeStamp'),
    Filter: name('Adobe.PPKLite'),
    SubFilter: name('ETSI.RFC3161'),
    ByteRange: byteRangePlaceholder(),
    Contents: contentsPlaceholder(SIGNATURE_CAPACITY / 2),
  });
  addSignatureField(update, {
    fieldName: options.fieldName ?? `DocumentTimeStamp${reader.revisions.length}`,
    sigDict,
    page: lastPage(reader),
  });
  const prepared = prepareSignature(update.build());
  const token = await options.timeStamper.timestamp(prepared.digest);
  return fillSignature(prepared, token);
}

/** The signature dictionaries of all signature fields, in field order. */
export function signatureDictionaries(reader: PdfReader): PdfDict[] {
  const acroForm = reader.dict(reader.catalog.get('AcroForm'));
  const fields = reader.resolve(acroForm?.get('Fields'));
  const out: PdfDict[] = [];
  const visit = (field: PdfDict, depth: number) => {
    const v = reader.dict(field.get('V'));
    const ft = field.get('FT');
    if (v && ft && (ft as { name?: string }).name === 'Sig') out.push(v);
    const kids = reader.resolve(field.get('Kids'));
    if (Array.isArray(kids) && depth < 16) {
      for (const k of kids) {
        const kid = reader.dict(k);
        if (kid) visit(kid, depth + 1);
      }
    }
  };
  if (Array.isArray(fields)) {
    for (const f of fields) {
      const field = reader.dict(f);
      if (field) visit(field, 0);
    }
  }
  return out;
}

/** /Contents is zero-padded after the DER blob; cut it to the blob's own length. */
export function trimDer(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0x30) return bytes;
  const first = bytes[1] ?? 0;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[2 + i] ?? 0);
  return bytes.subarray(0, Math.min(bytes.length, 2 + count + length));
}
