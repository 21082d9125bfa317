/**
 * The sender portal: staff logged in at level 4 with a role in the organisation create portal
 * jobs (through the API's own validation and creation), follow them, cancel, extend the deadline
 * and download the results. VIEWERs may only follow and download.
 */
import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { lastDeadlineExtension, readSenderJobDetails } from '../../src/db/job-reads.js';
import { DAY_SECONDS, MAX_SIGNERS } from '../../src/job/model.js';
import { personActor, recordPageEvent } from '../../src/portal/audit.js';
import { forgetKeptUploads, type KeptFile, keepUploads, keptUploads } from '../../src/portal/kept-uploads.js';
import { organisationsOf } from '../../src/portal/roles.js';
import {
  createJobFromPortal,
  type JobForm,
  listOrganisationJobs,
  parseJobListQuery,
  type UploadedFile,
} from '../../src/portal/sender-jobs.js';
import { cancelJob } from '../../src/services/cancel-job.js';
import { IdempotencyConflictError } from '../../src/services/create-job.js';
import { extendDeadline } from '../../src/services/extend-deadline.js';
import { findOwnedJob, getOrganisationJob } from '../../src/services/find-job.js';
import { JobConflictError } from '../../src/services/job-service.js';
import { resultDisposition } from '../../src/services/result-download-name.js';
import { findArtifact } from '../../src/signatures/artifacts.js';
import { type FormBody, textField } from '../http/form-body.js';
import { jobDepsOf, type PageDeps, type PageEnv } from './context.js';
import { plainIssue } from './form-issues.js';
import { formatTime, messagePage, notFoundPage, type PageNotice, renderPage } from './layout.js';
import { loginUrl } from './login.js';
import { senderJobPath, senderPath } from './paths.js';
import {
  CancelConfirmPage,
  ExtendRefusedError,
  emptyJobForm,
  emptySignerRow,
  extendRefusal,
  fieldOfIssue,
  invalidDays,
  JobListPage,
  JobListQueryRefused,
  JobStatusPage,
  NewJobPage,
  signerFieldName,
} from './sender-views.js';
import { sessionTag } from './session.js';

export const SENDER_PATH = '/sender';
const ORG_SEGMENT = ':org{[0-9]{9}}';

type Staff = { org: string; name: string; sector: 'PUBLIC' | 'PRIVATE'; mayAct: boolean; pid: string };

export function senderRoutes(deps: PageDeps) {
  const app = new Hono<PageEnv>();
  const jobDeps = jobDepsOf(deps);
  // Outside production the signers of the test population have their names before they sign
  // (as a register would give them); otherwise the name comes from the eID when they sign. Loaded,
  // not imported: production code never loads the test population (dev-register-seed.ts).
  const populationNames =
    deps.config.APP_ENV === 'production'
      ? undefined
      : import('../../src/notifications/dev-register-seed.js').then((m) => m.testPersonName);

  /** The person's standing in the organisation, or the page to show instead (login, refusal). */
  const staffOf = async (c: Context<PageEnv>, org?: string): Promise<Staff | Response> => {
    const t = c.get('t');
    const identity = c.get('session')?.identity;
    if (!identity || identity.level < 4) {
      if (!identity) return c.redirect(loginUrl(c.req.path, 4), 303);
      return messagePage(
        c,
        403,
        t('senderTitle'),
        t('senderNeedsLevel4'),
        <p>
          <a class="button" href={loginUrl(c.req.path, 4)}>
            {t('loginAgainAt', { level: 4 })}
          </a>
        </p>,
      );
    }
    const roles = await organisationsOf(deps.db, identity.pid);
    const mine = roles.filter((r) => org === undefined || r.org === org);
    if (mine.length === 0) return messagePage(c, 403, t('senderTitle'), t('senderNoRole'));
    const first = mine[0]!;
    return {
      org: first.org,
      name: first.name,
      sector: first.sector,
      mayAct: mine.some((r) => r.role === 'SENDER'),
      pid: identity.pid,
    };
  };

  app.get(SENDER_PATH, async (c) => {
    const staff = await staffOf(c);
    if (staff instanceof Response) return staff;
    const named = await organisationsOf(deps.db, staff.pid);
    const orgs = [...new Set(named.map((r) => r.org))];
    if (orgs.length === 1) return c.redirect(senderPath(staff.org), 303);
    const t = c.get('t');
    return messagePage(
      c,
      200,
      t('senderTitle'),
      t('senderChooseOrg'),
      <ul>
        {orgs.map((o) => (
          <li>
            <a href={senderPath(o)}>{named.find((r) => r.org === o)?.name ?? o}</a>
          </li>
        ))}
      </ul>,
    );
  });

  app.get(`${SENDER_PATH}/${ORG_SEGMENT}`, async (c) => {
    const staff = await staffOf(c, c.req.param('org'));
    if (staff instanceof Response) return staff;
    const query = parseJobListQuery(c.req.query('status'), c.req.query('q'));
    if (!query.ok) return renderPage(c, <JobListQueryRefused c={c} org={staff} refusal={query.issue} />, 400);
    // Only the organisation's own jobs: the list is read by its number, from the staff's role.
    const jobs = await listOrganisationJobs(deps.db, staff.org, query.filter);
    return renderPage(
      c,
      <JobListPage c={c} org={staff} mayCreate={staff.mayAct} filter={query.filter} jobs={jobs} />,
    );
  });

  const newJobPage = (
    c: Context<PageEnv>,
    staff: Staff,
    form: JobForm,
    issues: { field: string; message: string }[] = [],
    kept: KeptFile[] = [],
  ) =>
    renderPage(
      c,
      <NewJobPage
        c={c}
        org={staff.org}
        sector={staff.sector}
        form={form}
        csrfToken={c.get('session')!.csrfToken}
        nonce={randomUUID()}
        issues={issues}
        kept={kept}
      />,
      issues.length > 0 ? 400 : 200,
    );

  app.get(`${SENDER_PATH}/${ORG_SEGMENT}/jobs/new`, async (c) => {
    const staff = await staffOf(c, c.req.param('org'));
    if (staff instanceof Response) return staff;
    if (!staff.mayAct) return messagePage(c, 403, c.get('t')('senderTitle'), c.get('t')('senderNoRole'));
    return newJobPage(c, staff, emptyJobForm());
  });

  app.post(`${SENDER_PATH}/${ORG_SEGMENT}/jobs`, async (c) => {
    const staff = await staffOf(c, c.req.param('org'));
    if (staff instanceof Response) return staff;
    if (!staff.mayAct) return messagePage(c, 403, c.get('t')('senderTitle'), c.get('t')('senderNoRole'));
    const body = c.get('form');
    const { form, files: uploaded } = await readJobForm(body);
    const nonce = typeof body.nonce === 'string' ? body.nonce : randomUUID();
    // The files of an earlier attempt stand unless new ones were chosen.
    const owner = { sessionTag: sessionTag(c.get('session')), org: staff.org };
    const earlier = await keptUploads(
      deps.db,
      owner,
      [body.kept ?? []].flat().filter((v) => typeof v === 'string'),
    );
    const files = uploaded.length > 0 ? uploaded : earlier.map((k) => k.file);
    // `refused`: names of files refused for themselves (a bomb, an encrypted PDF), not kept: sent
    // again they would only be refused again.
    const refuse = async (issues: { field: string; message: string }[], refused = new Set<string>()) => {
      let kept: KeptFile[] = earlier;
      if (uploaded.length > 0) {
        await forgetKeptUploads(
          deps.db,
          earlier.map((k) => k.id),
        );
        kept = await keepUploads(
          deps.db,
          owner,
          uploaded.filter((f) => !refused.has(f.fileName)),
        );
      }
      return newJobPage(c, staff, form, issues, kept);
    };
    try {
      const result = await createJobFromPortal(jobDeps, {
        org: staff.org,
        sector: staff.sector,
        form,
        files,
        idempotencyKey: `sender-portal:${nonce}`,
      });
      if (!result.ok) {
        const rows = form.signers.flatMap((s, i) => (s.identifier.trim() ? [i] : []));
        const t = c.get('t');
        return refuse(
          result.issues.map((i) => {
            const field = fieldOfIssue(i.path, rows);
            return { field, message: plainIssue(t, i, field) };
          }),
          // A document's issue names the document's file.
          new Set(result.issues.map((i) => i.path)),
        );
      }
      await forgetKeptUploads(
        deps.db,
        earlier.map((k) => k.id),
      );
      await recordPageEvent(deps.db, {
        jobId: result.jobId,
        actor: personActor(staff.pid),
        event: 'SENDER_PORTAL_JOB_CREATED',
        origin: c.get('origin'),
        details: { org: staff.org, documents: files.map((f) => f.fileName) },
      });
      return c.redirect(`${senderJobPath(staff.org, result.jobId)}?created=1`, 303);
    } catch (err) {
      if (!(err instanceof IdempotencyConflictError)) throw err;
      return refuse([{ field: 'title', message: err.message }]);
    }
  });

  const jobBase = `${SENDER_PATH}/${ORG_SEGMENT}/jobs/:id{[0-9a-f-]{36}}`;

  const statusPage = async (
    c: Context<PageEnv>,
    staff: Staff,
    notice?: PageNotice,
    status: 200 | 409 = 200,
    extendError?: { message: string; days: string },
  ) => {
    // Every job of the organisation, whichever flow or API created it.
    const rec = await getOrganisationJob(jobDeps, staff.org, c.req.param('id') ?? '');
    const details = await readSenderJobDetails(deps.db, rec.job.id);
    if (!details) return notFoundPage(c);
    const knownName = (await populationNames) ?? (() => undefined);
    return renderPage(
      c,
      <JobStatusPage
        c={c}
        org={staff.org}
        rec={rec}
        details={details}
        knownName={knownName}
        mayAct={staff.mayAct}
        csrfToken={c.get('session')!.csrfToken}
        {...(notice ? { notice } : {})}
        {...(extendError ? { extendError } : {})}
      />,
      status,
    );
  };

  app.get(jobBase, async (c) => {
    const staff = await staffOf(c, c.req.param('org'));
    if (staff instanceof Response) return staff;
    const t = c.get('t');
    // The notices after an action are flags: what they say comes from the job's recorded state,
    // so a crafted URL can neither show a false deadline nor fail the page.
    const flag = (name: string) => c.req.query(name) !== undefined;
    let notice: PageNotice | undefined;
    if (flag('created')) notice = { kind: 'success', text: t('jobCreated') };
    else if (flag('cancelled')) {
      const rec = await getOrganisationJob(jobDeps, staff.org, c.req.param('id') ?? '');
      if (rec.job.failureReason === 'CANCELLED') notice = { kind: 'success', text: t('jobCancelled') };
    } else if (flag('extended')) {
      const deadline = await lastDeadlineExtension(deps.db, c.req.param('id') ?? '');
      if (deadline)
        notice = {
          kind: 'success',
          text: t('deadlineExtended', { date: formatTime(c.get('lang'), deadline) }),
        };
    }
    return statusPage(c, staff, notice);
  });

  /** A job action by a SENDER, audited; a refusal by the workflow shows the status page with it. */
  const action =
    (run: (c: Context<PageEnv>, staff: Staff, jobId: string) => Promise<string>) =>
    async (c: Context<PageEnv>) => {
      const staff = await staffOf(c, c.req.param('org'));
      if (staff instanceof Response) return staff;
      if (!staff.mayAct) return messagePage(c, 403, c.get('t')('senderTitle'), c.get('t')('senderNoRole'));
      const job = await findOwnedJob(deps.db, staff.org, 'portal', c.req.param('id') ?? '');
      try {
        return c.redirect(`${senderJobPath(staff.org, job.id)}?${await run(c, staff, job.id)}`, 303);
      } catch (err) {
        if (err instanceof CancelNotConfirmed)
          return c.redirect(`${senderJobPath(staff.org, job.id)}/cancel`, 303);
        if (!(err instanceof JobConflictError)) throw err;
        if (err instanceof ExtendRefusedError) {
          return statusPage(c, staff, undefined, 409, { message: err.message, days: err.days });
        }
        return statusPage(
          c,
          staff,
          { kind: 'error', text: c.get('t')('actionRefused', { message: err.message }) },
          409,
        );
      }
    };

  // Cancelling asks first: the job page links here, and only this page's form cancels.
  app.get(`${jobBase}/cancel`, async (c) => {
    const staff = await staffOf(c, c.req.param('org'));
    if (staff instanceof Response) return staff;
    if (!staff.mayAct) return messagePage(c, 403, c.get('t')('senderTitle'), c.get('t')('senderNoRole'));
    const rec = await getOrganisationJob(jobDeps, staff.org, c.req.param('id') ?? '');
    // Nothing to cancel (ended, or a direct job): the job page says how it stands.
    if (rec.job.status !== 'IN_PROGRESS' || rec.job.flow !== 'portal')
      return c.redirect(senderJobPath(staff.org, rec.job.id), 303);
    return renderPage(
      c,
      <CancelConfirmPage c={c} org={staff.org} rec={rec} csrfToken={c.get('session')!.csrfToken} />,
    );
  });

  app.post(
    `${jobBase}/cancel`,
    action(async (c, staff, jobId) => {
      // A post without the confirmation page's field (an old form, a crafted request) asks first.
      if (textField(c.get('form'), 'confirmed') !== 'yes') throw new CancelNotConfirmed();
      await cancelJob(jobDeps, jobId);
      await recordPageEvent(deps.db, {
        jobId,
        actor: personActor(staff.pid),
        event: 'SENDER_PORTAL_JOB_CANCELLED',
        origin: c.get('origin'),
      });
      return 'cancelled=1';
    }),
  );

  app.post(
    `${jobBase}/deadline`,
    action(async (c, staff, jobId) => {
      const entered = textField(c.get('form'), 'days').trim();
      const days = Number(entered);
      if (!/^\d+$/.test(entered) || days < 1 || days > 90) throw invalidDays(c, entered);
      await extendDeadline(jobDeps, jobId, days * DAY_SECONDS).catch((err: unknown) => {
        throw extendRefusal(c, entered, err);
      });
      await recordPageEvent(deps.db, {
        jobId,
        actor: personActor(staff.pid),
        event: 'SENDER_PORTAL_DEADLINE_EXTENDED',
        origin: c.get('origin'),
        details: { availableSeconds: days * DAY_SECONDS },
      });
      return 'extended=1';
    }),
  );

  const download = (kind: 'PADES' | 'XADES') => async (c: Context<PageEnv>) => {
    const staff = await staffOf(c, c.req.param('org'));
    if (staff instanceof Response) return staff;
    const job = await findOwnedJob(deps.db, staff.org, 'any', c.req.param('id') ?? '');
    const signerId = c.req.param('signerId') ?? '';
    const content = await findArtifact(deps, job.id, kind, kind === 'XADES' ? signerId : '');
    if (!content) return notFoundPage(c);
    c.header(
      'Content-Disposition',
      await resultDisposition(deps.db, job, kind, kind === 'XADES' ? signerId : ''),
    );
    return c.body(new Uint8Array(content), 200, {
      'Content-Type': kind === 'PADES' ? 'application/pdf' : 'application/xml',
    });
  };
  app.get(`${jobBase}/pades`, download('PADES'));
  app.get(`${jobBase}/signers/:signerId{[0-9a-f-]{36}}/xades`, download('XADES'));

  return app;
}

/** A cancel posted without the confirmation page's field. */
class CancelNotConfirmed extends Error {}

/** The new-job form's fields and uploads (empty file inputs left out). */
async function readJobForm(body: FormBody): Promise<{ form: JobForm; files: UploadedFile[] }> {
  const text = (name: string) => textField(body, name);
  const form: JobForm = {
    title: text('title'),
    nonsensitiveTitle: text('nonsensitiveTitle'),
    description: text('description'),
    reference: text('reference'),
    requiredAuthentication: text('requiredAuthentication'),
    availableDays: text('availableDays'),
    activation: text('activation'),
    signers: Array.from({ length: MAX_SIGNERS }, (_, row) => {
      const blank = emptySignerRow();
      for (const field of Object.keys(blank) as (keyof typeof blank)[])
        blank[field] = text(signerFieldName(row, field));
      return blank;
    }),
  };
  const uploads = [body.documents ?? []]
    .flat()
    .filter((f): f is File => typeof f !== 'string' && f.name !== '');
  const files = await Promise.all(
    uploads.map(async (f) => ({
      fileName: f.name,
      type: f.type,
      bytes: new Uint8Array(await f.arrayBuffer()),
    })),
  );
  return { form, files };
}
