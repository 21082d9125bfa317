/**
 * The XML adapter's pure parts: the request XML and manifest mapped to the JSON API's job object
 * (current and legacy manifests, both flows), multipart/mixed with unnamed parts, and the bundle
 * reader's refusals. The official client's own requests are in official-client.test.ts.
 */
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { ApiError } from '../../api/http/errors.js';
import { validateJobRequest } from '../../api/http/multipart.js';
import { readBundle, unsafeEntryName } from '../../api/xml-api/bundle.js';
import { mapCreateRequest } from '../../api/xml-api/mapping.js';
import { createRequestParts, MultipartError, readLimited } from '../../api/xml-api/multipart-mixed.js';
import { XmlInputError } from '../../api/xml-api/xml.js';

const NS = 'http://signering.posten.no/schema/v1';
const utf8 = (s: string) => new TextEncoder().encode(s);
/** As JAXB writes them: a prefix for our namespace, XAdES as the default namespace. */
const doc = (root: string, inner: string) =>
  utf8(
    `<?xml version="1.0" encoding="UTF-8"?><ns4:${root} xmlns:ns4="${NS}" xmlns="http://uri.etsi.org/01903/v1.3.2#">${inner}</ns4:${root}>`,
  );
const directRequest = doc(
  'direct-signature-job-request',
  '<ns4:reference>ref-1</ns4:reference><ns4:exit-urls><ns4:completion-url>https://s.example/ok</ns4:completion-url><ns4:rejection-url>https://s.example/no</ns4:rejection-url><ns4:error-url>https://s.example/err</ns4:error-url></ns4:exit-urls><ns4:status-retrieval-method>POLLING</ns4:status-retrieval-method><ns4:polling-queue>q1</ns4:polling-queue>',
);

describe('mapping the request and manifest to the job object', () => {
  it('direct, current form: signers by number and custom id, signature types renamed', () => {
    const manifest = doc(
      'direct-signature-job-manifest',
      '<ns4:signer><ns4:personal-identification-number>01818010083</ns4:personal-identification-number><ns4:signature-type>ADVANCED_ELECTRONIC_SIGNATURE</ns4:signature-type><ns4:on-behalf-of>OTHER</ns4:on-behalf-of></ns4:signer>' +
        '<ns4:signer><ns4:signer-identifier>emp-7</ns4:signer-identifier></ns4:signer>' +
        '<ns4:sender><ns4:organization-number>987654325</ns4:organization-number></ns4:sender>' +
        '<ns4:title>Contract</ns4:title><ns4:description>Please sign</ns4:description>' +
        '<ns4:documents><ns4:document href="0000_contract.pdf" mime="application/pdf"><ns4:title>Contract</ns4:title></ns4:document></ns4:documents>' +
        '<ns4:required-authentication>3</ns4:required-authentication><ns4:identifier-in-signed-documents>NAME</ns4:identifier-in-signed-documents>',
    );
    expect(mapCreateRequest('direct', directRequest, manifest)).toEqual({
      senderOrg: '987654325',
      documentEntries: ['0000_contract.pdf'],
      job: {
        reference: 'ref-1',
        pollingQueue: 'q1',
        title: 'Contract',
        description: 'Please sign',
        documents: [{ title: 'Contract', fileName: '0000_contract.pdf', mimeType: 'application/pdf' }],
        requiredAuthentication: 3,
        identifierInSignedDocuments: 'NAME',
        signers: [
          {
            personalIdentificationNumber: '01818010083',
            signatureType: 'ADVANCED_SIGNATURE',
            onBehalfOf: 'OTHER',
          },
          { customIdentifier: 'emp-7' },
        ],
        exitUrls: {
          completionUrl: 'https://s.example/ok',
          rejectionUrl: 'https://s.example/no',
          errorUrl: 'https://s.example/err',
        },
        statusRetrievalMethod: 'POLLING',
      },
    });
  });

  it('direct, legacy single document: title and description come from the document', () => {
    const manifest = doc(
      'direct-signature-job-manifest',
      '<ns4:signer><ns4:personal-identification-number>01818010083</ns4:personal-identification-number></ns4:signer>' +
        '<ns4:sender><ns4:organization-number>987654325</ns4:organization-number></ns4:sender>' +
        '<ns4:document href="contract.txt" mime="text/plain"><ns4:title>Old style</ns4:title><ns4:description>Legacy</ns4:description></ns4:document>',
    );
    const { job } = mapCreateRequest('direct', directRequest, manifest);
    expect([job.title, job.description, job.documents]).toEqual([
      'Old style',
      'Legacy',
      [{ title: 'Old style', fileName: 'contract.txt', mimeType: 'text/plain' }],
    ]);
  });

  it('portal: order, register look-up, explicit notifications, a signer by contact information, availability', () => {
    const request = doc('portal-signature-job-request', '<ns4:reference>p-1</ns4:reference>');
    const manifest = doc(
      'portal-signature-job-manifest',
      '<ns4:signers>' +
        '<ns4:signer order="0"><ns4:personal-identification-number>01818010083</ns4:personal-identification-number><ns4:notifications-using-lookup><ns4:email/><ns4:sms/></ns4:notifications-using-lookup></ns4:signer>' +
        '<ns4:signer order="1"><ns4:personal-identification-number>02828110023</ns4:personal-identification-number><ns4:notifications><ns4:email address="ola@example.com"/><ns4:sms number="+4791234567"/></ns4:notifications><ns4:on-behalf-of>OTHER</ns4:on-behalf-of></ns4:signer>' +
        '<ns4:signer order="2"><ns4:identified-by-contact-information/><ns4:notifications><ns4:sms number="+4798765432"/></ns4:notifications></ns4:signer>' +
        '</ns4:signers><ns4:sender><ns4:organization-number>987654325</ns4:organization-number></ns4:sender>' +
        '<ns4:title>Lease</ns4:title><ns4:nonsensitive-title>Document</ns4:nonsensitive-title>' +
        '<ns4:documents><ns4:document href="0000_lease.pdf" mime="application/pdf"><ns4:title>Lease</ns4:title></ns4:document></ns4:documents>' +
        '<ns4:availability><ns4:activation-time>2026-12-01T08:00:00+01:00</ns4:activation-time><ns4:available-seconds>604800</ns4:available-seconds></ns4:availability>',
    );
    const { job } = mapCreateRequest('portal', request, manifest);
    expect(job.signers).toEqual([
      { personalIdentificationNumber: '01818010083', order: 0 },
      {
        personalIdentificationNumber: '02828110023',
        notifications: { email: 'ola@example.com', mobile: '+4791234567' },
        order: 1,
        onBehalfOf: 'OTHER',
      },
      { mobile: '+4798765432', order: 2 },
    ]);
    expect([job.nonsensitiveTitle, job.availability]).toEqual([
      'Document',
      { activationTime: '2026-12-01T08:00:00+01:00', availableSeconds: 604800 },
    ]);
  });

  it('refuses a wrong root, a missing element, a DOCTYPE, and elements outside the namespace do not count', () => {
    const manifest = doc(
      'direct-signature-job-manifest',
      '<ns4:sender><ns4:organization-number>987654325</ns4:organization-number></ns4:sender>',
    );
    expect(() => mapCreateRequest('portal', directRequest, manifest)).toThrow(/root element/);
    expect(() => mapCreateRequest('direct', directRequest, manifest)).toThrow(
      /manifest\/documents is required/,
    );
    const entity = utf8(
      `<!DOCTYPE x [<!ENTITY a "aaaa">]><ns4:direct-signature-job-request xmlns:ns4="${NS}"/>`,
    );
    expect(() => mapCreateRequest('direct', entity, manifest)).toThrow(XmlInputError);
    const foreign = utf8(
      `<ns4:direct-signature-job-manifest xmlns:ns4="${NS}"><title xmlns="urn:other">x</title><ns4:sender><ns4:organization-number>1</ns4:organization-number></ns4:sender><ns4:documents/></ns4:direct-signature-job-manifest>`,
    );
    expect(() => mapCreateRequest('direct', directRequest, foreign)).toThrow(/manifest\/title is required/);
  });
});

describe('what the JSON API would refuse, the XML API refuses too', () => {
  const portalManifest = (availability: string) =>
    doc(
      'portal-signature-job-manifest',
      '<ns4:signers><ns4:signer order="0"><ns4:personal-identification-number>01818010083</ns4:personal-identification-number><ns4:notifications-using-lookup><ns4:email/></ns4:notifications-using-lookup></ns4:signer></ns4:signers>' +
        '<ns4:sender><ns4:organization-number>987654325</ns4:organization-number></ns4:sender><ns4:title>Lease</ns4:title>' +
        '<ns4:documents><ns4:document href="0000_lease.pdf" mime="application/pdf"><ns4:title>Lease</ns4:title></ns4:document></ns4:documents>' +
        availability,
    );
  const request = doc('portal-signature-job-request', '<ns4:reference>p-1</ns4:reference>');

  it('an activation time on a date that does not exist: 400 naming it, not rolled over', () => {
    const { job } = mapCreateRequest(
      'portal',
      request,
      portalManifest(
        '<ns4:availability><ns4:activation-time>2026-02-30T08:00:00+01:00</ns4:activation-time></ns4:availability>',
      ),
    );
    let refused: unknown;
    try {
      validateJobRequest('portal', 'PUBLIC', job);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(400);
    expect((refused as ApiError).details).toContainEqual(
      expect.objectContaining({ path: 'availability.activationTime', code: 'INVALID_DATE_TIME' }),
    );
  });

  it('XML declared UTF-8 holding invalid UTF-8 is an XML error, not text with U+FFFD', () => {
    const manifest = portalManifest('');
    const at = Buffer.from(manifest).indexOf('Lease');
    const broken = Buffer.concat([
      manifest.subarray(0, at),
      Buffer.from([0xc3, 0x28]),
      manifest.subarray(at),
    ]);
    expect(() => mapCreateRequest('portal', request, broken)).toThrow(
      expect.objectContaining({
        name: 'XmlInputError',
        code: 'INVALID_XML',
        message: expect.stringMatching(/UTF-8/),
      }),
    );
  });
});

describe('multipart/mixed', () => {
  const body = (parts: [string, string][], boundary = 'b0undary') =>
    Buffer.from(
      `${parts.map(([type, content]) => `--${boundary}\r\nContent-Type: ${type}\r\n\r\n${content}\r\n`).join('')}--${boundary}--\r\n`,
    );

  it('finds the two unnamed parts by type and order', () => {
    const { xml, bundle } = createRequestParts(
      body([
        ['application/xml', '<a/>'],
        ['application/octet-stream', 'PK\u0003\u0004zip'],
      ]),
      'multipart/mixed; charset=ISO-8859-1; boundary=b0undary',
    );
    expect([Buffer.from(xml).toString(), Buffer.from(bundle).toString()]).toEqual([
      '<a/>',
      'PK\u0003\u0004zip',
    ]);
  });

  it('refuses form-data, a missing part, parts in the wrong order', () => {
    const two = body([
      ['application/octet-stream', 'zip'],
      ['application/xml', '<a/>'],
    ]);
    expect(() => createRequestParts(two, 'multipart/form-data; boundary=b0undary')).toThrow(
      /multipart\/mixed/,
    );
    expect(() => createRequestParts(two, 'multipart/mixed; boundary=b0undary')).toThrow(
      /first part must be application\/xml/,
    );
    expect(() =>
      createRequestParts(body([['application/xml', '<a/>']]), 'multipart/mixed; boundary=b0undary'),
    ).toThrow(/exactly two parts/);
  });

  it('stops reading a body the moment it passes the limit', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const err = await readLimited(endless, 10 * 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultipartError);
    expect((err as MultipartError).status).toBe(413);
    expect(pulled).toBeLessThan(20);
  });
});

describe('the bundle reader', () => {
  const zip = (entries: [string, Uint8Array | string][], compress = true) => {
    const z = new yazl.ZipFile();
    for (const [name, content] of entries) z.addBuffer(Buffer.from(content), name, { compress });
    z.end();
    return new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      z.outputStream.on('data', (c: Buffer) => chunks.push(c));
      z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  };

  it('reads every entry through the central directory', async () => {
    const entries = await readBundle(
      await zip([
        ['0000_a.pdf', 'pdf'],
        ['manifest.xml', '<m/>'],
        ['META-INF/signatures.xml', '<s/>'],
      ]),
    );
    expect([...entries.keys()]).toEqual(['0000_a.pdf', 'manifest.xml', 'META-INF/signatures.xml']);
  });

  it('refuses path tricks by name', () => {
    for (const name of ['../a.pdf', 'a/../../b', '/etc/passwd', 'C:/x', 'a\\b.pdf', 'a//b', './a']) {
      expect(unsafeEntryName(name), name).not.toBeNull();
    }
    expect(unsafeEntryName('META-INF/signatures.xml')).toBeNull();
  });

  it('refuses duplicate names, too many entries, a bomb, and bytes that are no zip', async () => {
    const dup = Buffer.from(
      (
        await zip([
          ['a.pdf', '1'],
          ['b.pdf', '2'],
        ])
      )
        .toString('latin1')
        .replaceAll('b.pdf', 'a.pdf'),
      'latin1',
    );
    await expect(readBundle(dup)).rejects.toThrow(/occurs twice/);
    const many = await zip(Array.from({ length: 30 }, (_, i) => [`f${i}.txt`, 'x'] as [string, string]));
    await expect(readBundle(many)).rejects.toThrow(/entries; at most/);
    await expect(readBundle(await zip([['bomb.txt', new Uint8Array(3_000_000)]]))).rejects.toThrow(
      /zip bomb/,
    );
    await expect(readBundle(await zip([['big.pdf', new Uint8Array(4_000_000)]], false))).rejects.toThrow(
      /at most/,
    );
    await expect(readBundle(Buffer.from('not a zip at all'))).rejects.toThrow(/not a readable zip/);
  });
});
