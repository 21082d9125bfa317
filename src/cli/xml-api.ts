/**
 * Admin commands of the XML API (the national service's protocol): brokers a sender authorises,
 * and development enterprise certificates for senders, with the client configuration they need.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Db } from '../db/index.js';
import { authoriseBroker, listBrokers, revokeBroker } from '../services/brokers.js';
import { findOrganisation } from '../services/organisations.js';
import {
  issueEnterpriseCertificate,
  loadOrCreateEnterprisePki,
  toPkcs12,
} from '../signing/enterprise-pki.js';
import type { Io } from './operations.js';

type Parse = (
  args: string[],
  options: Record<string, { type: 'string' }>,
) => { values: Record<string, string | undefined>; positionals: string[] };

/** Where the CLI finds the development PKI and what URL it tells senders (see docs/xml-api.md). */
export interface XmlApiCliSettings {
  pkiDir: string;
  xmlApiUrl: string;
}

export function xmlApiCommands(
  parse: Parse,
  requireOrg: (v: string | undefined) => string,
  settings: () => XmlApiCliSettings,
) {
  const orgAndBroker = (args: string[]) => {
    const { values } = parse(args, { org: { type: 'string' }, broker: { type: 'string' } });
    return { org: requireOrg(values.org), broker: requireOrg(values.broker) };
  };
  return {
    async 'brokers authorise'(db: Db, args: string[], io: Io) {
      const { org, broker } = orgAndBroker(args);
      if (!(await findOrganisation(db, org))) {
        io.err(`organisation ${org} is not registered`);
        return 1;
      }
      await authoriseBroker(db, org, broker);
      io.out(`${broker} may now send jobs for ${org} through the XML API`);
      return 0;
    },
    async 'brokers revoke'(db: Db, args: string[], io: Io) {
      const { org, broker } = orgAndBroker(args);
      if (!(await revokeBroker(db, org, broker))) {
        io.err(`${broker} was not authorised for ${org}`);
        return 1;
      }
      io.out(`${broker} may no longer send jobs for ${org}`);
      return 0;
    },
    async 'brokers list'(db: Db, args: string[], io: Io) {
      const { values } = parse(args, { org: { type: 'string' } });
      const brokers = await listBrokers(db, requireOrg(values.org));
      io.out(brokers.length ? brokers.join('\n') : 'no brokers');
      return 0;
    },
    /** A development enterprise certificate (RSA, PKCS#12) and the lines of the client's configuration. */
    async 'enterprise-certificates issue'(_db: Db, args: string[], io: Io) {
      const { values } = parse(args, {
        org: { type: 'string' },
        out: { type: 'string' },
        password: { type: 'string' },
      });
      const org = requireOrg(values.org);
      const { pkiDir, xmlApiUrl } = settings();
      const pki = await loadOrCreateEnterprisePki(join(pkiDir, 'enterprise'));
      const password = values.password ?? randomBytes(12).toString('base64url');
      const out = resolve(values.out ?? `${org}.p12`);
      await writeFile(out, await toPkcs12(await issueEnterpriseCertificate(pki, org), password), {
        mode: 0o600,
      });
      io.out(`enterprise certificate of ${org}: ${out} (PKCS#12, password ${password})`);
      io.out('');
      io.out('signature-api-client-java (7.x) configuration:');
      io.out(
        `  KeyStoreConfig keys = KeyStoreConfig.fromOrganizationCertificate(new FileInputStream("${out}"), "${password}");`,
      );
      io.out('  ClientConfiguration config = ClientConfiguration.builder(keys)');
      io.out(
        `      .serviceEnvironment(ServiceEnvironment.PRODUCTION.withServiceUrl(URI.create("${xmlApiUrl}"))`,
      );
      io.out(`          .withCertificates("${pki.caDirectory}"))`);
      io.out(`      .serverOrganizationNumber("${pki.serviceOrg}")`);
      io.out(`      .defaultSender(new Sender("${org}"))`);
      io.out('      .build();');
      return 0;
    },
  };
}
