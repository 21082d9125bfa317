import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createCrl,
  createPki,
  createSealedPades,
  createTimeStamper,
  loadPkiFromFiles,
  renewArchiveTimeStamp,
  trustAnchorsPem,
  verifyPdfSignatures,
} from '../../src/signing/index.js';
import { simplePdf } from '../fixtures/signing/pdfs.js';
import { jobInput, PIDS, pdfSignatures, signAll, signingWorld } from '../helpers/signing.js';
import {
  keepOnFailure,
  nssDatabase,
  opensslTsVerify,
  pdfsig,
  pdfsigBlocks,
  requireTools,
  run,
  scratchDir,
  writeTemp,
} from './validators.js';

describe('a production PKI loaded from PEM files (RSA keys made by openssl)', () => {
  let dir: string;
  beforeAll(() => {
    requireTools();
    dir = scratchDir('prod-pki');
    const f = (name: string) => join(dir, name);
    writeTemp(dir, 'ca.ext', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    writeTemp(dir, 'seal.ext', 'keyUsage=critical,digitalSignature,nonRepudiation\n');
    run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f('root.key'),
      '-out',
      f('root.pem'),
      '-days',
      '30',
      '-subj',
      '/C=NO/O=Prod Test/CN=Prod Test Root',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    run('openssl', [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f('seal.key'),
      '-out',
      f('seal.csr'),
      '-subj',
      '/C=NO/O=Prod Test/CN=Prod Seal',
    ]);
    run('openssl', [
      'x509',
      '-req',
      '-in',
      f('seal.csr'),
      '-CA',
      f('root.pem'),
      '-CAkey',
      f('root.key'),
      '-CAcreateserial',
      '-out',
      f('seal.pem'),
      '-days',
      '30',
      '-extfile',
      f('seal.ext'),
    ]);
  });

  it('seals with an RSA key that pdfsig validates as trusted', async () => {
    // An outside TSA in production; here the development one stands in for it, its CA's CRL
    // served over HTTP where its certificate points: the verifier needs revocation data for every
    // certificate, the TSA's included, and the service fetches it when it signs.
    let crlRequests = 0;
    const crlServer = createServer(async (_req, res) => {
      crlRequests++;
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(await createCrl(dev, 'root'));
    });
    await new Promise<void>((resolve) => crlServer.listen(0, '127.0.0.1', resolve));
    const { port } = crlServer.address() as AddressInfo;
    const dev = await createPki({ crlBaseUrl: `http://127.0.0.1:${port}/pki/crl` });
    try {
      const pki = await loadPkiFromFiles({
        roots: [join(dir, 'root.pem')],
        rootKey: join(dir, 'root.key'),
        seal: { cert: join(dir, 'seal.pem'), key: join(dir, 'seal.key') },
      });
      expect(pki.tsa).toBeUndefined();
      const world = { pki, timeStamper: createTimeStamper(dev), rootPem: trustAnchorsPem(pki) };
      const documents = [
        { title: 'A', fileName: 'a.pdf', mimeType: 'application/pdf', bytes: await simplePdf() },
      ];
      const signers = await signAll(world, 'job-0001', documents, [{ name: 'Kari Nordmann', pid: PIDS.fnr }]);
      const pdf = await createSealedPades(jobInput(world, documents, signers));
      const path = writeTemp(dir, 'rsa.pdf', pdf);
      await keepOnFailure('rsa-sealed.pdf', pdf, async () => {
        const [seal] = pdfsigBlocks(pdfsig(path, nssDatabase(dir, trustAnchorsPem(pki))));
        expect(seal).toContain('Signer Certificate Common Name: Prod Seal');
        expect(seal).toContain('Signature Validation: Signature is Valid.');
        expect(seal).toContain('Certificate Validation: Certificate is Trusted.');
        const report = await verifyPdfSignatures(pdf, [...pki.roots, ...dev.roots]);
        expect(report.signatures.flatMap((s) => s.problems)).toEqual([]);
        expect(report.valid).toBe(true);
      });
      // Fetched once, then kept until its nextUpdate.
      expect(crlRequests).toBe(1);
    } finally {
      crlServer.closeAllConnections();
      await new Promise((resolve) => crlServer.close(resolve));
    }
  });
});

describe('renewing the archive time-stamp (long-term storage)', () => {
  it('adds validation data and a new document time-stamp, keeping every earlier signature valid', async () => {
    requireTools();
    const dir = scratchDir('renew');
    const world = await signingWorld();
    const documents = [
      { title: 'A', fileName: 'a.pdf', mimeType: 'application/pdf', bytes: await simplePdf() },
    ];
    const signers = await signAll(world, 'job-0001', documents, [{ name: 'Kari Nordmann', pid: PIDS.fnr }]);
    const pdf = await createSealedPades(jobInput(world, documents, signers));
    const renewed = await renewArchiveTimeStamp(pdf, world);
    const path = writeTemp(dir, 'renewed.pdf', renewed);
    await keepOnFailure('renewed.pdf', renewed, async () => {
      const blocks = pdfsigBlocks(pdfsig(path, nssDatabase(dir, world.rootPem)));
      expect(blocks).toHaveLength(3);
      expect(blocks[0]).toContain('Signature Validation: Signature is Valid.');
      expect(blocks[2]).toContain('Total document signed');
      const stamps = pdfSignatures(renewed).filter((s) => s.subFilter === 'ETSI.RFC3161');
      expect(stamps).toHaveLength(2);
      for (const stamp of stamps) {
        expect(opensslTsVerify(dir, stamp.contents, { data: stamp.signedBytes }, world.rootPem)).toContain(
          'Verification: OK',
        );
      }
      const report = await verifyPdfSignatures(renewed, world.rootPem);
      expect(report.signatures.map((s) => s.kind)).toEqual([
        'seal',
        'document-timestamp',
        'document-timestamp',
        'xades',
      ]);
      expect(report.valid).toBe(true);
    });
  });
});
