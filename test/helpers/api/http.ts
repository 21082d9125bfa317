/** Requests and assertions shared by the sender API suites. */
import { expect } from 'vitest';
import { makeIdentityNumber } from '../identity-numbers.js';
import { CookieJar, loginThroughProvider } from '../oidc-login.js';
import { createForm, portalJob } from '../requests.js';
import { ORG, type Stack } from '../stack.js';

export interface ErrorBody {
  error: { code: string; message: string; details: { path: string; code: string; message: string }[] };
}

export interface JobBody {
  id: string;
  flow: string;
  status: string;
  links: { self: string; cancel: string | null; pades: string | null };
  signers: {
    id: string;
    signer: string;
    status: string;
    redirectUrl?: string;
    links: { xades: string | null };
  }[];
}

/** Valid synthetic identity numbers (month + 80), distinct per index. */
export const pid = (i: number) =>
  makeIdentityNumber({ day: 1 + i, month: 1, year: 1990, syntheticOffset: 80 });

export const EXIT_URLS = {
  completionUrl: 'https://sender.example/ok',
  rejectionUrl: 'https://sender.example/rejected',
  errorUrl: 'https://sender.example/error',
};

/**
 * A portal job whose signer is addressed by e-mail: no contact-register lookup, so the job stays
 * in progress whatever the development register holds.
 */
export function emailPortalJob(overrides: Record<string, unknown> = {}) {
  return portalJob({ signers: [{ email: 'kari@example.com' }], ...overrides });
}

export function directJob(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Employment contract',
    reference: 'case-17',
    documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
    signers: [{ personalIdentificationNumber: pid(0) }],
    exitUrls: EXIT_URLS,
    ...overrides,
  };
}

export const jobsPath = (flow: 'direct' | 'portal', org = ORG) => `/api/${org}/${flow}/signature-jobs`;

export function postJob(
  stack: Stack,
  flow: 'direct' | 'portal',
  job: unknown,
  files: Record<string, Uint8Array | string>,
  headers: Record<string, string> = {},
) {
  return stack.api(jobsPath(flow), { method: 'POST', body: createForm(job, files), headers });
}

export async function createJob(
  stack: Stack,
  flow: 'direct' | 'portal',
  job: unknown,
  files: Record<string, Uint8Array | string>,
): Promise<JobBody> {
  const res = await postJob(stack, flow, job, files);
  const body = (await res.json()) as JobBody;
  expect(res.status, JSON.stringify(body)).toBe(201);
  // A portal job's first group is shown to its signers once their contact details are looked
  // up (an activity); tests that act as a signer wait for that, as a notified person would.
  if (flow === 'portal') await untilActivated(stack, body.links.self);
  return body;
}

/** Waits until the job's first group is active (or the job has already ended). */
export async function untilActivated(stack: Stack, selfUrl: string): Promise<void> {
  await eventually(
    async () => (await (await follow(stack, selfUrl)).json()) as { deadline?: string; status: string },
    // The active group's deadline is set as the group is shown to its signers.
    (j) => j.deadline !== undefined || j.status !== 'IN_PROGRESS',
  );
}

/** Follows an absolute link of an answer with the sender's key. */
export function follow(stack: Stack, url: string, init: RequestInit = {}) {
  return stack.api(url.slice(stack.baseUrl.length), init);
}

export function devAct(
  stack: Stack,
  jobId: string,
  signerId: string,
  action: 'sign' | 'reject',
  body: unknown = {},
) {
  return fetch(`${stack.baseUrl}/api/dev/signature-jobs/${jobId}/signers/${signerId}/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
}

export async function expectError(res: Response, status: number, code: string, path?: string) {
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, code: body.error?.code }, JSON.stringify(body)).toEqual({ status, code });
  if (path !== undefined) expect(body.error.details.map((d) => d.path)).toContain(path);
  return body;
}

/** Polls until `check` holds (the workflow acts asynchronously; packaging signs PDFs), at most ~60 s. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 1200 && !check(value); i++) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  expect(check(value), `condition not reached: ${JSON.stringify(value)}`).toBe(true);
  return value;
}

/** A browser of its own: a cookie jar per host, redirects not followed, requests by path. */
export function browser(stack: Stack) {
  const jar = new CookieJar();
  const get = (path: string, init: RequestInit = {}) =>
    jar.fetch(`${stack.baseUrl}${path}`, {
      ...init,
      headers: { origin: stack.baseUrl, ...(init.headers as Record<string, string>) },
    });
  return Object.assign(get, { jar });
}

/**
 * A browser of its own, logged in as `person` at level 4 through the local provider's own pages
 * and sent on to `next`.
 */
export async function loggedIn(stack: Stack, person: string, next: string) {
  const get = browser(stack);
  const login = await loginThroughProvider(
    get.jar,
    `${stack.baseUrl}/login?next=${encodeURIComponent(next)}&level=4`,
    person,
    4,
    { stopAtCallback: true },
  );
  const back = await get.jar.fetch(login.url);
  expect(back.status).toBe(303);
  expect(back.headers.get('location')).toBe(next);
  return get;
}
