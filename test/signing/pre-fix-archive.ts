/**
 * A XAdES archived before the archive time-stamp's imprint followed EN 319 132-1's node-set rule:
 * its stamp covered the SignedProperties reference in the inclusive canonical form the reference's
 * digest uses, where the standard wants the time-stamp's own (exclusive) method. Jobs archived
 * then hold such a stamp; the tests repair it the way the next renewal does.
 */
import { createHash } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import {
  addXadesArchiveTimeStamp,
  archiveTimeStampCoverage,
  archiveTimeStampsOf,
  canonicalise,
  type Pki,
  type TimeStamper,
} from '../../src/signing/index.js';
import { DSIG_NS, XADES_NS } from '../../src/signing/xades.js';

const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const sha256 = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());

/** Adds an archive time-stamp (with its validation data) over the imprint the old code computed. */
export async function addPreFixArchiveTimeStamp(
  xml: Uint8Array,
  deps: { pki: Pki; timeStamper: TimeStamper },
): Promise<Uint8Array> {
  const stamped = await addXadesArchiveTimeStamp(xml, deps);
  const doc = new DOMParser().parseFromString(new TextDecoder().decode(stamped), 'application/xml');
  const signature = doc.getElementsByTagNameNS(DSIG_NS, 'Signature')[0]!;
  const stamp = archiveTimeStampsOf(signature).at(-1)!;
  const signedProperties = signature.getElementsByTagNameNS(XADES_NS, 'SignedProperties')[0]!;
  const exclusive = canonicalise(signedProperties, EXC_C14N);
  const inclusive = canonicalise(signedProperties, C14N);
  // The inclusive form is the one the reference's signed digest covers.
  const reference = Array.from(signature.getElementsByTagNameNS(DSIG_NS, 'Reference')).find(
    (r) => r.getAttribute('URI') === `#${signedProperties.getAttribute('Id')}`,
  )!;
  const signedDigest = reference.getElementsByTagNameNS(DSIG_NS, 'DigestValue')[0]!.textContent;
  if (Buffer.from(sha256(inclusive)).toString('base64') !== signedDigest)
    throw new Error('the inclusive SignedProperties do not match their signed digest');
  const standard = new TextDecoder().decode(archiveTimeStampCoverage(signature, stamp));
  if (!standard.includes(exclusive)) throw new Error('the coverage lacks the exclusive SignedProperties');
  const token = await deps.timeStamper.timestamp(sha256(standard.replace(exclusive, inclusive)));
  stamp.getElementsByTagNameNS(XADES_NS, 'EncapsulatedTimeStamp')[0]!.textContent =
    Buffer.from(token).toString('base64');
  return new TextEncoder().encode(new XMLSerializer().serializeToString(doc));
}
