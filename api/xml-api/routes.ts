/**
 * The national service's sender API in XML (docs/xml-api.md), under its own root (`/xml-api`, the
 * official client's service URL), over mutual TLS only. An adapter: requests are mapped to the
 * JSON API's objects and handed to the same services; answers are rendered from the same records.
 *
 *   POST   {org}/{flow}/signature-jobs                      create (multipart/mixed: XML + sealed zip)
 *   GET    {org}/{flow}/signature-jobs?polling_queue=Q      the status-change queue
 *   GET    {org}/direct/signature-jobs/{n}/status?status_query_token=T
 *   POST   {org}/{flow}/signature-jobs/{n}/complete[?change=C]   confirm
 *   POST   {org}/portal/signature-jobs/{n}/cancel
 *   POST   {org}/direct/signature-jobs/{n}/signers/{signerId}    new redirect URL
 *   GET    {org}/{flow}/signature-jobs/{n}/xades/{signerId}, …/pades
 *   DELETE {org}/{flow}/signature-jobs/{n}/documents
 */
import { type Context, Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { jobIdOfNumericId, numericIdOf, signerAddresses } from '../../src/db/job-reads.js';
import type { Flow } from '../../src/job/model.js';
import { pollingQueueSchema } from '../../src/job/schema.js';
import { isBrokerAuthorised } from '../../src/services/brokers.js';
import { cancelJob } from '../../src/services/cancel-job.js';
import { confirmOrRefuse } from '../../src/services/confirm-status-change.js';
import { createSignatureJob } from '../../src/services/create-job.js';
import { requestDocumentDeletion } from '../../src/services/delete-documents.js';
import { issueRedirectUrls } from '../../src/services/direct-signers.js';
import { directStatusForToken } from '../../src/services/direct-status.js';
import { padesForSender } from '../../src/services/download-pades.js';
import { findOwnedJob, getSignatureJob } from '../../src/services/find-job.js';
import { JobConflictError, JobInputError, JobNotFoundError } from '../../src/services/job-service.js';
import { findOrganisation } from '../../src/services/organisations.js';
import { pollOrRefuse } from '../../src/services/poll-status-queue.js';
import { reissueRedirectUrl } from '../../src/services/reissue-redirect-url.js';
import { DEFAULT_STATUS_QUEUE_OPTIONS } from '../../src/services/status-queue.js';
import { findArtifact } from '../../src/signatures/artifacts.js';
import { distributionPointCrls } from '../../src/signing/crl.js';
import { type ApiDeps, type AppEnv, jobServiceDeps, type XmlApiOptions } from '../deps.js';
import { abortedStatus, isBodyAborted } from '../http/body-read.js';
import { clientCertificateOf } from '../http/client-certificate.js';
import { ApiError, apiErrorOfRefusal, NEXT_POLL_HEADER } from '../http/errors.js';
import { validateJobDocuments, validateJobRequest } from '../http/multipart.js';
import { rateLimitSenders } from '../http/rate-limit.js';
import { BundleError, readBundle } from './bundle.js';
import { mapCreateRequest, parseSignerUpdateRequest } from './mapping.js';
import { createRequestParts, MultipartError, readLimited } from './multipart-mixed.js';
import {
  directJobCreated,
  directSignerUpdated,
  directStatus,
  errorDocument,
  factsOfChange,
  factsOfRecord,
  jobUrls,
  portalJobCreated,
  portalStatusChange,
} from './responses.js';
import { MANIFEST_ENTRY, SealError, SIGNATURES_ENTRY, verifyBundleSeal } from './seal.js';
import { XmlInputError } from './xml.js';

export type { XmlApiOptions } from '../deps.js';

/** 20 documents of 3 MB, the manifest, the seal and the request XML, with room for zip overhead. */
export const MAX_XML_CREATE_BYTES = 62 * 1024 * 1024;
const MAX_SMALL_BODY_BYTES = 16 * 1024;
/** Entries an ASiC-E container may carry beside the documents; anything else is refused. */
const CONTAINER_ENTRIES = new Set([MANIFEST_ENTRY, SIGNATURES_ENTRY, 'mimetype', 'META-INF/manifest.xml']);

const FLOW = ':flow{direct|portal}';
const JOB = `/:org{[0-9]{9}}/${FLOW}/signature-jobs/:n`;

type XmlEnv = { Bindings: AppEnv['Bindings']; Variables: AppEnv['Variables'] & { actor: string } };

const xml = (body: string, status: ContentfulStatusCode = 200) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/xml; charset=utf-8' } });

/** Every failure as the XSD's `<error>`; the codes the client types are kept exactly. */
function errorResponse(deps: ApiDeps, thrown: unknown, path: string, c: Context): Response {
  const err = apiErrorOfRefusal(thrown) ?? thrown;
  let status: number;
  let code: string;
  let message: string;
  let headers: Record<string, string> = {};
  if (err instanceof ApiError) {
    status = err.status;
    code = err.code;
    message = [err.message, ...err.details.map((d) => `${d.path}: ${d.code} ${d.message}`)].join('; ');
    headers = { ...err.headers };
    // Apache HttpClient 5 (under the official client) sleeps for a Retry-After on 429 and retries
    // once, which would hide the early poll from the sender; the national service sends none.
    if (err.code === 'POLLED_TOO_EARLY') delete headers['Retry-After'];
  } else if (err instanceof MultipartError || err instanceof BundleError || err instanceof SealError) {
    ({ status, code, message } = err);
  } else if (err instanceof XmlInputError) {
    [status, code, message] = [400, err.code, err.message];
  } else if (err instanceof JobNotFoundError) {
    [status, code, message] = [404, 'NOT_FOUND', err.message];
  } else if (err instanceof JobConflictError) {
    [status, code, message] = [409, err.code, err.message];
  } else if (err instanceof JobInputError) {
    [status, code, message] = [400, 'VALIDATION_FAILED', err.message];
  } else if (err instanceof HTTPException) {
    [status, code, message] = [err.status, 'HTTP_ERROR', err.message || 'request refused'];
  } else if (isBodyAborted(err, c)) {
    deps.log.info({ path }, 'XML API request body not received in full');
    [status, code, message] = [
      abortedStatus(err),
      'BODY_NOT_RECEIVED',
      'the request body did not arrive in full',
    ];
  } else {
    deps.log.error({ err, path }, 'unhandled error in the XML API');
    [status, code, message] = [500, 'INTERNAL_ERROR', 'an internal error occurred; it has been logged'];
  }
  const res = xml(errorDocument(code, message, status), status as ContentfulStatusCode);
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

/**
 * Mutual TLS only: the trusted enterprise certificate names the acting organisation. The path's
 * organisation is the sender; acting for another sender needs that sender's authorisation.
 */
function requireEnterpriseCertificate(deps: ApiDeps) {
  return createMiddleware<XmlEnv>(async (c, next) => {
    const certificate = clientCertificateOf(c.env?.incoming?.socket);
    if (!certificate.presented || !certificate.trusted) {
      throw new ApiError(
        401,
        'UNAUTHENTICATED',
        'the XML API needs a client certificate from a trusted enterprise CA',
      );
    }
    if (!certificate.org)
      throw new ApiError(403, 'FORBIDDEN', 'the client certificate carries no organisation number');
    const org = c.req.param('org')!;
    const sender = await findOrganisation(deps.db, org);
    if (!sender) {
      throw new ApiError(403, 'FORBIDDEN', `organisation ${org} is not registered as a sender`);
    }
    if (certificate.org !== org && !(await isBrokerAuthorised(deps.db, org, certificate.org))) {
      throw new ApiError(
        403,
        'BROKER_NOT_AUTHORIZED',
        `organisation ${certificate.org} is not authorised to act for sender ${org}`,
      );
    }
    c.set('org', org);
    c.set('sender', sender);
    c.set('actor', certificate.org);
    await next();
  });
}

export function xmlApiRoutes(deps: ApiDeps, options: XmlApiOptions) {
  const app = new Hono<XmlEnv>();
  const jobDeps = jobServiceDeps(deps);
  const queueOptions = { ...DEFAULT_STATUS_QUEUE_OPTIONS, ...deps.statusQueue };
  const root = options.publicUrl;

  app.onError((err, c) => errorResponse(deps, err, c.req.path, c));
  app.use('/:org{[0-9]{9}}/*', requireEnterpriseCertificate(deps));
  app.use('/:org{[0-9]{9}}/*', rateLimitSenders(deps));

  const flowOf = (c: { req: { param(n: 'flow'): string } }) => c.req.param('flow') as Flow;
  /** The job of a numeric id in a URL, if it is this sender's in this flow (404 otherwise). */
  const ownedJob = async (org: string, flow: Flow, n: string) => {
    const jobId = await jobIdOfNumericId(deps.db, n);
    if (!jobId) throw new JobNotFoundError(n);
    return findOwnedJob(deps.db, org, flow, jobId);
  };

  app.post(`/:org{[0-9]{9}}/${FLOW}/signature-jobs`, async (c) => {
    const flow = flowOf(c);
    const org = c.get('org');
    const sender = c.get('sender');
    const body = await readLimited(c.req.raw.body, MAX_XML_CREATE_BYTES);
    const parts = createRequestParts(body, c.req.header('content-type'));
    const entries = await readBundle(parts.bundle);
    const manifest = entries.get(MANIFEST_ENTRY);
    if (!manifest) throw new BundleError('INVALID_BUNDLE', `the document bundle has no ${MANIFEST_ENTRY}`);
    const mapped = mapCreateRequest(flow, parts.xml, manifest);
    if (mapped.senderOrg !== org) {
      throw new ApiError(
        403,
        'SENDER_MISMATCH',
        `manifest/sender/organization-number (${mapped.senderOrg}) is not the organisation in the path (${org})`,
      );
    }
    for (const name of mapped.documentEntries) {
      if (!entries.has(name))
        throw new BundleError(
          'DOCUMENT_MISSING',
          `the manifest names ${name}, which is not in the document bundle`,
        );
    }
    const expected = new Set([...mapped.documentEntries, ...CONTAINER_ENTRIES]);
    for (const name of entries.keys()) {
      if (!expected.has(name))
        throw new BundleError(
          'UNEXPECTED_ENTRY',
          `the document bundle holds ${name}, which the manifest does not name`,
        );
    }
    const seal = await verifyBundleSeal(
      entries,
      [...mapped.documentEntries, MANIFEST_ENTRY],
      options.trustAnchors,
      options.revocation ?? distributionPointCrls,
    );
    if (seal.org !== c.get('actor')) {
      throw new SealError(
        'SEAL_ORGANIZATION_MISMATCH',
        `the bundle is sealed by organisation ${seal.org}, the client certificate is of ${c.get('actor')}`,
        403,
      );
    }

    // From here on the JSON API's rules decide, on the same job object.
    const job = validateJobRequest(flow, sender.sector, mapped.job);
    const files = new Map(mapped.documentEntries.map((name) => [name, entries.get(name)!]));
    const pageCounts = await validateJobDocuments(job, files);
    const { jobId } = await createSignatureJob(jobDeps, {
      org,
      flow,
      job,
      requestJson: mapped.job,
      files,
      pageCounts,
    });
    const n = await numericIdOf(deps.db, jobId);
    const urls = jobUrls(root, org, flow, n);
    if (flow === 'portal') return xml(portalJobCreated(urls, n, job.reference ?? null), 201);

    const rec = await getSignatureJob(jobDeps, org, flow, jobId);
    const redirectUrls = await issueRedirectUrls(
      deps.db,
      deps.config.PUBLIC_URL,
      { id: jobId, createdAt: rec.job.createdAt },
      rec.signers.map((s) => s.id),
    );
    const addresses = await signerAddresses(deps.db, jobId);
    const signers = [...addresses.values()].map((address) => ({
      address,
      redirectUrl: redirectUrls.get(address.id)!,
    }));
    return xml(directJobCreated(urls, n, job.reference ?? null, signers), 201);
  });

  app.get(`/:org{[0-9]{9}}/${FLOW}/signature-jobs`, async (c) => {
    const flow = flowOf(c);
    // The client's default queue comes as a bare `?polling_queue` (no value): the default queue.
    const queue = pollingQueueSchema.safeParse(c.req.query('polling_queue') ?? '');
    if (!queue.success)
      throw new ApiError(
        400,
        'VALIDATION_FAILED',
        'polling_queue: at most 100 of A-Z, a-z, 0-9, ".", "_", "-"',
      );
    const address = { org: c.get('org'), flow, queue: queue.data };
    const outcome = await pollOrRefuse(deps.db, address, queueOptions);
    const nextPoll = { [NEXT_POLL_HEADER]: outcome.nextPermittedAt.toISOString().replace(/\.\d{3}Z$/, 'Z') };
    if (outcome.kind === 'empty') return new Response(null, { status: 204, headers: nextPoll });
    const { change } = outcome;
    const rec = await getSignatureJob(jobDeps, address.org, flow, change.jobId);
    const n = await numericIdOf(deps.db, change.jobId);
    const urls = jobUrls(root, address.org, flow, n);
    const facts = factsOfChange(change, n, rec, `${urls.complete}?change=${change.changeId}`);
    const addresses = await signerAddresses(deps.db, change.jobId);
    const res = xml(
      flow === 'direct' ? directStatus(urls, facts, addresses) : portalStatusChange(urls, facts, addresses),
    );
    res.headers.set(NEXT_POLL_HEADER, nextPoll[NEXT_POLL_HEADER]);
    return res;
  });

  app.get('/:org{[0-9]{9}}/direct/signature-jobs/:n/status', async (c) => {
    const org = c.get('org');
    const job = await ownedJob(org, 'direct', c.req.param('n'));
    const rec = await directStatusForToken(jobDeps, org, job.id, c.req.query('status_query_token'));
    const n = c.req.param('n');
    const urls = jobUrls(root, org, 'direct', n);
    return xml(
      directStatus(urls, factsOfRecord(rec, n, urls.complete), await signerAddresses(deps.db, job.id)),
    );
  });

  app.post(`${JOB}/complete`, async (c) => {
    const org = c.get('org');
    const flow = flowOf(c);
    const job = await ownedJob(org, flow, c.req.param('n'));
    await confirmOrRefuse(deps.db, { org, flow, jobId: job.id }, c.req.query('change'));
    return c.body(null, 204);
  });

  app.post('/:org{[0-9]{9}}/portal/signature-jobs/:n/cancel', async (c) => {
    const job = await ownedJob(c.get('org'), 'portal', c.req.param('n'));
    await cancelJob(jobDeps, job.id);
    return c.body(null, 204);
  });

  app.post('/:org{[0-9]{9}}/direct/signature-jobs/:n/signers/:signerId', async (c) => {
    const org = c.get('org');
    const job = await ownedJob(org, 'direct', c.req.param('n'));
    parseSignerUpdateRequest(await readLimited(c.req.raw.body, MAX_SMALL_BODY_BYTES));
    const { signerId, redirectUrl } = await reissueRedirectUrl(
      jobDeps,
      deps.config.PUBLIC_URL,
      org,
      job.id,
      c.req.param('signerId'),
    );
    const address = (await signerAddresses(deps.db, job.id)).get(signerId)!;
    return xml(directSignerUpdated(jobUrls(root, org, 'direct', c.req.param('n')), address, redirectUrl));
  });

  app.get(`${JOB}/xades/:signerId`, async (c) => {
    const job = await ownedJob(c.get('org'), flowOf(c), c.req.param('n'));
    const content = await findArtifact(deps, job.id, 'XADES', c.req.param('signerId'));
    if (!content)
      throw new ApiError(404, 'NOT_FOUND', "the signer's XAdES does not exist (yet, or any more)");
    return c.body(new Uint8Array(content), 200, { 'Content-Type': 'application/xml' });
  });

  app.get(`${JOB}/pades`, async (c) => {
    const job = await ownedJob(c.get('org'), flowOf(c), c.req.param('n'));
    const content = await padesForSender(deps, job.id);
    return c.body(new Uint8Array(content), 200, { 'Content-Type': 'application/pdf' });
  });

  app.delete(`${JOB}/documents`, async (c) => {
    const job = await ownedJob(c.get('org'), flowOf(c), c.req.param('n'));
    await requestDocumentDeletion(jobDeps, job);
    return c.body(null, 202);
  });

  app.all('*', (c) => {
    throw new ApiError(404, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
  });
  return app;
}
