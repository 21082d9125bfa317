/**
 * Mutual TLS: the organisation number of a sender's enterprise certificate. Norwegian enterprise
 * certificates carry it in the subject, as `serialNumber` (older profiles: the nine digits) or as
 * `organizationIdentifier` `NTRNO-<nine digits>` (eIDAS profiles); either is accepted.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the metadata polyfill first.
import 'reflect-metadata';
import { TLSSocket } from 'node:tls';
import { X509Certificate } from '@peculiar/x509';
import { isValidOrganisationNumber } from '../../src/rules/identity.js';

const SERIAL_NUMBER_OID = '2.5.4.5';
const ORGANIZATION_IDENTIFIER_OID = '2.5.4.97';

/** The organisation number in a DER certificate's subject, or null without a valid one. */
export function organisationNumberOfCertificate(der: Uint8Array<ArrayBuffer>): string | null {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return null;
  }
  const values = [
    ...cert.subjectName.getField(ORGANIZATION_IDENTIFIER_OID),
    ...cert.subjectName.getField(SERIAL_NUMBER_OID),
  ];
  for (const value of values) {
    const match = /^(?:NTRNO-)?([0-9]{9})$/.exec(value.trim());
    if (match && isValidOrganisationNumber(match[1]!)) return match[1]!;
  }
  return null;
}

export type ClientCertificate =
  | { presented: false }
  /** `trusted`: the chain verified against the server's client CA list. */
  | { presented: true; trusted: boolean; org: string | null };

/** The client certificate of the connection a request came on (none over plain HTTP). */
export function clientCertificateOf(socket: unknown): ClientCertificate {
  if (!(socket instanceof TLSSocket)) return { presented: false };
  const peer = socket.getPeerCertificate(false);
  if (!peer?.raw) return { presented: false };
  return {
    presented: true,
    trusted: socket.authorized,
    org: organisationNumberOfCertificate(new Uint8Array(peer.raw)),
  };
}
