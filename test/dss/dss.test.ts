/**
 * EU DSS, the European Commission's reference validator (6.3, default policy, our root as the only
 * trust anchor, offline: only the validation data the files embed), judges what the real stack
 * hands out through the API: the PAdES and XAdES of a completed job, of a job handed to the
 * long-term archive (B-LTA) and of an archived job after two renewals, plus the XAdES of a job
 * archived before the archive time-stamp's imprint followed EN 319 132-1, after the renewal that
 * repairs it. One JVM run over all the files.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENEWAL_INTERVAL_YEARS, renewArchive } from '../../src/archive/index.js';
import { archiveTimeStampsOf, hasArchiveTimeStamp, trustAnchorsPem } from '../../src/signing/index.js';
import { DSIG_NS } from '../../src/signing/xades.js';
import { artifactKey } from '../../src/storage/index.js';
import { createJob, devAct, directJob, eventually, follow, type JobBody } from '../helpers/api/http.js';
import { KARI_PID, samplePdf } from '../helpers/requests.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { addPreFixArchiveTimeStamp } from '../signing/pre-fix-archive.js';
import { buildDssJudge, type DssTimestamp, type DssVerdict, judge } from './judge.js';

const DAY = 24 * 60 * 60 * 1000;

let stack: Stack;
let classpath: string;
let dir: string;

beforeAll(async () => {
  [stack, classpath, dir] = await Promise.all([
    startStack(),
    buildDssJudge(),
    // The files DSS judges stay for a human to open (test-artifacts/ is git-ignored).
    mkdir(join(process.cwd(), 'test-artifacts', 'dss'), { recursive: true }).then(() =>
      join(process.cwd(), 'test-artifacts', 'dss'),
    ),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Signed {
  job: JobBody;
  signerId: string;
}

/**
 * A direct job with one signer, signed through the development endpoint. The signer has a digital
 * mailbox: the signed copy is delivered at once, so no 7-day mailbox offer keeps the workflow from
 * handing a long-term job to the archive.
 */
async function signedJob(longTermStorage: boolean): Promise<Signed> {
  const pdf = await samplePdf(longTermStorage ? 'Deed of sale' : 'Employment contract');
  const signers = [{ personalIdentificationNumber: KARI_PID }];
  const job = await createJob(
    stack,
    'direct',
    directJob({ signers, ...(longTermStorage ? { longTermStorage } : {}) }),
    {
      'contract.pdf': pdf,
    },
  );
  const signerId = job.signers[0]!.id;
  expect((await devAct(stack, job.id, signerId, 'sign', { authenticationLevel: 4 })).status).toBe(200);
  return { job, signerId };
}

const download = async (url: string) => {
  const res = await follow(stack, url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
};

/** The job's PAdES and its signer's XAdES through the API, once `ready` holds for the XAdES. */
async function results({ job, signerId }: Signed, ready: (xades: Buffer) => boolean) {
  const xades = await eventually(
    async () => {
      const r = await download(`${job.links.self}/signers/${signerId}/xades`);
      return {
        status: r.status,
        ready: r.status === 200 && ready(r.bytes),
        bytes: r.bytes.toString('base64'),
      };
    },
    (r) => r.ready,
  );
  const pades = await eventually(
    async () => {
      const r = await download(`${job.links.self}/pades`);
      return { status: r.status, bytes: r.bytes.toString('base64') };
    },
    (r) => r.status === 200,
  );
  return { pades: Buffer.from(pades.bytes, 'base64'), xades: Buffer.from(xades.bytes, 'base64') };
}

const archiveDeps = () => ({
  db: stack.t.db,
  storage: stack.storage,
  signing: stack.signing,
  policy: { intervalYears: DEFAULT_RENEWAL_INTERVAL_YEARS },
});

/** The archive's renewal run for one job, on the day after it falls due. */
async function renewWhenDue(jobId: string) {
  const { next_renewal_at } = await stack.t.db
    .selectFrom('long_term_archives')
    .select('next_renewal_at')
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
  expect(await renewArchive(archiveDeps(), jobId, new Date(next_renewal_at.getTime() + DAY))).toBe('RENEWED');
}

const archiveStampCount = (xml: Uint8Array) => {
  const doc = new DOMParser().parseFromString(new TextDecoder().decode(xml), 'application/xml');
  return archiveTimeStampsOf(doc.getElementsByTagNameNS(DSIG_NS, 'Signature')[0]!).length;
};

/**
 * Replaces the signer's stored XAdES (archived once) with the one the code before the fix made at
 * the hand-over: the same signature, its archive time-stamp over the old imprint.
 */
async function archivedBeforeTheFix({ job, signerId }: Signed, archived: Buffer) {
  const doc = new DOMParser().parseFromString(archived.toString('utf8'), 'application/xml');
  const signature = doc.getElementsByTagNameNS(DSIG_NS, 'Signature')[0]!;
  const [stamp] = archiveTimeStampsOf(signature);
  // Back to B-LT: the stamp and the validation data recorded before it go.
  const validationData = stamp!.previousSibling!;
  expect((validationData as Element).localName).toBe('TimeStampValidationData');
  stamp!.parentNode!.removeChild(stamp!);
  validationData.parentNode!.removeChild(validationData);
  const lt = new TextEncoder().encode(new XMLSerializer().serializeToString(doc));
  const old = Buffer.from(await addPreFixArchiveTimeStamp(lt, stack.signing));
  const row = await stack.t.db
    .selectFrom('artifacts')
    .select('sha256')
    .where('job_id', '=', job.id)
    .where('kind', '=', 'XADES')
    .where('signer_id', '=', signerId)
    .executeTakeFirstOrThrow();
  const sha256 = createHash('sha256').update(old).digest('hex');
  await stack.storage.put(artifactKey({ jobId: job.id, kind: 'XADES', signerId, sha256 }), old);
  await stack.t.db
    .updateTable('artifacts')
    .set({ sha256 })
    .where('job_id', '=', job.id)
    .where('kind', '=', 'XADES')
    .where('sha256', '=', row.sha256)
    .execute();
  return old;
}

const everyTimestamp = (v: DssVerdict): DssTimestamp[] => [
  ...v.signatures.flatMap((s) => s.timestamps),
  ...v.timestamps,
];

describe('EU DSS judges our signatures', () => {
  it('PAdES and XAdES: completed, archived (B-LTA), after two renewals, and a repaired archive', async () => {
    const [completed, archived, renewed, repaired] = await Promise.all([
      signedJob(false),
      signedJob(true),
      signedJob(true),
      signedJob(true),
    ]);
    const files: Record<string, Uint8Array> = {};
    await Promise.all([
      (async () => {
        const { pades, xades } = await results(completed, () => true);
        expect(hasArchiveTimeStamp(xades)).toBe(false);
        files['completed.pdf'] = pades;
        files['completed.xml'] = xades;
      })(),
      (async () => {
        const { pades, xades } = await results(archived, hasArchiveTimeStamp);
        expect(archiveStampCount(xades)).toBe(1);
        files['archived.pdf'] = pades;
        files['archived.xml'] = xades;
      })(),
      (async () => {
        // The hand-over's stamp, then two renewals: three archive time-stamps.
        await results(renewed, hasArchiveTimeStamp);
        await renewWhenDue(renewed.job.id);
        await renewWhenDue(renewed.job.id);
        const { pades, xades } = await results(renewed, (x) => archiveStampCount(x) === 3);
        files['renewed.pdf'] = pades;
        files['renewed.xml'] = xades;
      })(),
      (async () => {
        // Archived before the fix, then renewed: the old stamp stays, a sound one covers it.
        const old = await archivedBeforeTheFix(
          repaired,
          (await results(repaired, hasArchiveTimeStamp)).xades,
        );
        const served = await download(`${repaired.job.links.self}/signers/${repaired.signerId}/xades`);
        expect(served.bytes.equals(old)).toBe(true);
        await renewWhenDue(repaired.job.id);
        files['repaired.xml'] = (await results(repaired, (x) => archiveStampCount(x) === 2)).xades;
      })(),
    ]);

    const rootsPem = join(dir, 'roots.pem');
    await writeFile(rootsPem, trustAnchorsPem(stack.signing.pki));
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    const started = Date.now();
    const verdicts = await judge(
      classpath,
      rootsPem,
      Object.keys(files).map((name) => join(dir, name)),
    );
    console.log(`EU DSS judged ${Object.keys(files).length} files in ${Date.now() - started} ms`);
    const verdict = (name: string) => {
      const v = verdicts.get(name);
      expect(v, `DSS said nothing about ${name}`).toBeDefined();
      expect(v!.error, name).toBeUndefined();
      expect(v!.signatures.length, name).toBeGreaterThan(0);
      return v!;
    };

    const expected: Record<string, { level: string; archiveStamps?: number }> = {
      'completed.pdf': { level: 'PAdES-BASELINE-LTA' },
      'completed.xml': { level: 'XAdES-BASELINE-LT', archiveStamps: 0 },
      'archived.pdf': { level: 'PAdES-BASELINE-LTA' },
      'archived.xml': { level: 'XAdES-BASELINE-LTA', archiveStamps: 1 },
      'renewed.pdf': { level: 'PAdES-BASELINE-LTA' },
      'renewed.xml': { level: 'XAdES-BASELINE-LTA', archiveStamps: 3 },
    };
    for (const [name, want] of Object.entries(expected)) {
      const v = verdict(name);
      for (const s of v.signatures) {
        expect({ name, indication: s.indication, level: s.level, errors: s.errors }).toEqual({
          name,
          indication: 'TOTAL_PASSED',
          level: want.level,
          errors: [],
        });
      }
      const stamps = everyTimestamp(v);
      expect(stamps.length, name).toBeGreaterThan(0);
      for (const t of stamps) {
        expect({ name, type: t.type, indication: t.indication, intact: t.messageImprintIntact }).toEqual({
          name,
          type: t.type,
          indication: 'PASSED',
          intact: true,
        });
      }
      if (want.archiveStamps !== undefined)
        expect(stamps.filter((t) => t.type === 'ARCHIVE_TIMESTAMP').length, name).toBe(want.archiveStamps);
    }
    // The renewed PAdES: its first document time-stamp and one per renewal, every one PASSED.
    const padesStamps = (name: string) =>
      new Set(
        everyTimestamp(verdict(name))
          .filter((t) => t.type === 'DOCUMENT_TIMESTAMP')
          .map((t) => t.id),
      ).size;
    expect(padesStamps('archived.pdf')).toBeGreaterThan(0);
    expect(padesStamps('renewed.pdf')).toBe(padesStamps('archived.pdf') + 2);

    // The repaired XAdES: DSS still finds the old stamp's imprint not intact, and the new one,
    // over it and its validation data, PASSED; the signature TOTAL_PASSED at B-LTA.
    const [repairedSignature] = verdict('repaired.xml').signatures;
    expect(repairedSignature).toMatchObject({ indication: 'TOTAL_PASSED', level: 'XAdES-BASELINE-LTA' });
    expect(repairedSignature!.timestamps.map((t) => [t.type, t.indication, t.subIndication ?? null])).toEqual(
      [
        ['SIGNATURE_TIMESTAMP', 'PASSED', null],
        ['ARCHIVE_TIMESTAMP', 'FAILED', 'HASH_FAILURE'],
        ['ARCHIVE_TIMESTAMP', 'PASSED', null],
      ],
    );
  }, 150_000);
});
