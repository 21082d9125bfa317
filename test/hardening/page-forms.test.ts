/**
 * The pages' forms under hostile input, against the real stack: every page POST route (taken from
 * the app's own routing table, so a new form is fuzzed too) gets malformed multipart and
 * urlencoded bodies, huge and many-field bodies and wrong content types, with no session, with a
 * session not logged in and logged in as a sender-portal user; each answer is a 4xx, never a 5xx.
 * A 450,000-field form is refused at the door while `/healthz` keeps answering within a second, an
 * aborted upload is counted as a 4xx in the metrics, and the query parameters of the sender
 * portal's job page cannot fail it or make it claim an extension that never happened.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { CSRF_HEADER, PAGE_FORM_LIMITS } from '../../api/pages/form-door.js';
import { CSRF_FIELD, SESSION_COOKIE } from '../../api/pages/session.js';
import { testPopulation } from '../../src/notifications/test-population.js';
import { grantRole } from '../../src/portal/roles.js';
import { touchSession } from '../../src/portal/sessions.js';
import { createJob } from '../helpers/browser/jobs.js';
import { CookieJar, loginThroughProvider } from '../helpers/oidc-login.js';
import { type PagesStack, startPagesStack } from '../helpers/pages-stack.js';
import { portalJob, samplePdf } from '../helpers/requests.js';
import { ORG } from '../helpers/stack.js';
import { watchHealth } from './hostile-client.js';

const staffPid = testPopulation[2]!.pid;
const PAGE_PREFIXES = ['/sign', '/portal', '/sender', '/login', '/logout'];

let ps: PagesStack;
let base: string;
let jobId: string;

/** A browser's cookie and the CSRF token of its session, as a page would give it. */
interface Visitor {
  name: string;
  cookie?: string;
  token?: string;
}
const visitors: Visitor[] = [{ name: 'no session' }];

beforeAll(async () => {
  ps = await startPagesStack();
  base = ps.baseUrl;
  await grantRole(ps.stack.t.db, { pid: staffPid, org: ORG, role: 'SENDER' });
  const job = await createJob(ps, 'portal', portalJob(), { 'contract.pdf': await samplePdf() });
  jobId = job.id;

  // A session not logged in: what opening a signer's link gives any browser.
  const anonymous = new CookieJar();
  await (await anonymous.fetch(`${base}/portal/link/${'x'.repeat(40)}`)).text();
  visitors.push(await visitorOf('session, not logged in', anonymous));
  // A sender-portal user, logged in at level 4 through the provider's own pages.
  const staff = new CookieJar();
  await loginThroughProvider(
    staff,
    `${base}/login?next=${encodeURIComponent('/sender')}&level=4`,
    staffPid,
    4,
  );
  visitors.push(await visitorOf('logged in as sender staff', staff));
}, 120_000);
afterAll(async () => {
  await ps?.stop();
});

async function visitorOf(name: string, jar: CookieJar): Promise<Visitor> {
  const token = jar.get(base, SESSION_COOKIE);
  if (!token) throw new Error(`${name}: no session cookie`);
  const session = await touchSession(ps.stack.t.db, token);
  if (!session) throw new Error(`${name}: no session`);
  return { name, cookie: `${SESSION_COOKIE}=${token}`, token: session.csrfToken };
}

/** Every POST route under the pages' prefixes, its parameters filled in. */
function pagePostRoutes(): string[] {
  const app = createApp(ps.pageDeps);
  const paths = app.routes
    .filter(
      (r) => r.method === 'POST' && PAGE_PREFIXES.some((p) => r.path === p || r.path.startsWith(`${p}/`)),
    )
    .map((r) =>
      r.path
        .replace(/:org(\{[^/]*\})?/g, ORG)
        .replace(/:(jobId|id)(\{[^/]*\})?/g, jobId)
        .replace(/:signerId(\{[^/]*\})?/g, randomUUID())
        .replace(/:\w+(\{[^/]*\})?/g, 'x'.repeat(40)),
    );
  return [...new Set(paths)];
}

const BOUNDARY = 'fuzz-boundary-1234';
const many = (n: number) => Array.from({ length: n }, (_, i) => `f${i}=1`).join('&');

/**
 * The hostile bodies: what is sent, with which content type, and what a visitor with a session
 * must get (the form's own token is in the body as well, for the posts that carry it there).
 */
function hostileBodies(
  token: string,
): { name: string; type?: string; body: string | Uint8Array<ArrayBuffer>; status?: number }[] {
  const csrf = `${CSRF_FIELD}=${encodeURIComponent(token)}`;
  const part = (name: string, value: string) =>
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const file = (i: number) =>
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="documents"; filename="d${i}.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n`;
  const multipart = `multipart/form-data; boundary=${BOUNDARY}`;
  const urlencoded = 'application/x-www-form-urlencoded';
  return [
    {
      name: 'multipart without any boundary in the body',
      type: multipart,
      body: 'just some text',
      status: 400,
    },
    {
      name: 'multipart cut off before its end',
      type: multipart,
      body: `${part(CSRF_FIELD, token)}--${BOUNDARY}\r\nContent-Disp`,
      status: 400,
    },
    {
      name: 'multipart part without a name',
      type: multipart,
      body: `--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
      status: 400,
    },
    {
      name: 'multipart part without headers',
      type: multipart,
      body: `--${BOUNDARY}\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
      status: 400,
    },
    {
      name: 'multipart with no boundary parameter',
      type: 'multipart/form-data',
      body: part('a', 'b'),
      status: 400,
    },
    {
      name: 'multipart with invalid UTF-8',
      type: multipart,
      body: new Uint8Array(
        Buffer.concat([
          Buffer.from(
            `${part(CSRF_FIELD, token)}--${BOUNDARY}\r\nContent-Disposition: form-data; name="reason"\r\n\r\n`,
          ),
          Buffer.from([0xff, 0xfe]),
          Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
        ]),
      ),
      status: 400,
    },
    {
      name: 'multipart with 12 file parts',
      type: multipart,
      body: `${part(CSRF_FIELD, token)}${Array.from({ length: 12 }, (_, i) => file(i)).join('')}--${BOUNDARY}--\r\n`,
      status: 413,
    },
    {
      name: 'multipart with a part header of 10 KB',
      type: multipart,
      body: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${'n'.repeat(10_000)}"\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
    },
    { name: 'urlencoded with a broken %-escape', type: urlencoded, body: `${csrf}&reason=%zz`, status: 400 },
    { name: 'urlencoded with invalid UTF-8', type: urlencoded, body: `${csrf}&reason=%FF%FE`, status: 400 },
    {
      name: 'urlencoded of 70 KB',
      type: urlencoded,
      body: `${csrf}&reason=${'a'.repeat(70_000)}`,
      status: 413,
    },
    { name: 'urlencoded of 300 fields', type: urlencoded, body: `${csrf}&${many(300)}`, status: 413 },
    {
      name: 'urlencoded with a field name of 1 KB',
      type: urlencoded,
      body: `${csrf}&${'n'.repeat(1000)}=1`,
      status: 413,
    },
    { name: 'a body of 1 MB', type: urlencoded, body: `${csrf}&x=${'y'.repeat(1024 * 1024)}`, status: 413 },
    { name: 'text/plain', type: 'text/plain', body: csrf, status: 415 },
    { name: 'JSON', type: 'application/json', body: JSON.stringify({ [CSRF_FIELD]: token }), status: 415 },
    { name: 'no content type, no body', body: '' },
  ];
}

describe('page forms under hostile input', () => {
  it('answers every page POST with a 4xx, never a 5xx', { timeout: 60_000 }, async () => {
    const routes = pagePostRoutes();
    // The forms there are: logout, sign, reject, the one-time code, new job, cancel, extend.
    expect(routes.length).toBeGreaterThanOrEqual(7);
    const answers: string[] = [];
    const unexpected: string[] = [];
    for (const route of routes) {
      for (const visitor of visitors) {
        // With a session, the token goes in the header (the door then reads the body for the
        // route) or only in the body (the door reads the body for the token).
        for (const inHeader of visitor.token ? [true, false] : [false]) {
          for (const attack of hostileBodies(visitor.token ?? 'none')) {
            const headers: Record<string, string> = { origin: base };
            if (attack.type) headers['content-type'] = attack.type;
            if (visitor.cookie) headers.cookie = visitor.cookie;
            if (inHeader) headers[CSRF_HEADER] = visitor.token!;
            const status = await fetch(`${base}${route}`, {
              method: 'POST',
              headers,
              body: attack.body,
              redirect: 'manual',
            }).then(
              async (res) => {
                await res.text();
                return res.status;
              },
              (err: Error) => `${err.message} (${(err.cause as Error)?.message})`,
            );
            const what = `${status} ${route} ${visitor.name}${inHeader ? ', token in header' : ''}: ${attack.name}`;
            answers.push(what);
            // No session: refused at the door whatever the body. Otherwise the body's own fault.
            const expected = visitor.cookie ? attack.status : 403;
            if (expected !== undefined && status !== expected)
              unexpected.push(`${what} (expected ${expected})`);
          }
        }
      }
    }
    expect(answers.filter((a) => !/^4\d\d /.test(a))).toEqual([]);
    expect(unexpected).toEqual([]);
  });

  it('refuses a 450,000-field form quickly while /healthz answers within a second', {
    timeout: 60_000,
  }, async () => {
    const body = many(450_000);
    for (const visitor of visitors) {
      const health = watchHealth(base);
      const started = performance.now();
      const res = await fetch(`${base}/sender/${ORG}/jobs`, {
        method: 'POST',
        headers: {
          origin: base,
          'content-type': 'application/x-www-form-urlencoded',
          ...(visitor.cookie ? { cookie: visitor.cookie } : {}),
        },
        body,
        redirect: 'manual',
      });
      await res.text();
      const took = performance.now() - started;
      const probes = await health.stop();
      expect(res.status, visitor.name).toBe(visitor.cookie ? 413 : 403);
      expect(took, visitor.name).toBeLessThan(3_000);
      expect(probes.failures, visitor.name).toBe(0);
      expect(probes.maxMs, visitor.name).toBeLessThan(1_000);
    }
  });

  it('takes the real forms within their limits (a logged-out session gets the small ones)', async () => {
    expect(PAGE_FORM_LIMITS.anonymous.maxBytes).toBeLessThan(PAGE_FORM_LIMITS.loggedIn.maxBytes);
    const [, anonymous, staff] = visitors as [Visitor, Visitor, Visitor];
    // The one-time code form, posted by a session not logged in: read, and answered by the route.
    const code = await fetch(`${base}/portal/link/${'x'.repeat(40)}`, {
      method: 'POST',
      headers: {
        origin: base,
        cookie: anonymous.cookie!,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `${CSRF_FIELD}=${anonymous.token}&code=123456`,
    });
    expect(code.status).toBe(404); // the link does not exist: the route ran, the form was read
    // 5 KB is too much for it, not for a logged-in form.
    const big = `${CSRF_FIELD}=${anonymous.token}&code=${'1'.repeat(5000)}`;
    const refused = await fetch(`${base}/portal/link/${'x'.repeat(40)}`, {
      method: 'POST',
      headers: {
        origin: base,
        cookie: anonymous.cookie!,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: big,
    });
    expect(refused.status).toBe(413);
    // The deadline form with the token in the query instead of the body.
    const extend = await fetch(`${base}/sender/${ORG}/jobs/${jobId}/deadline?${CSRF_FIELD}=${staff.token}`, {
      method: 'POST',
      headers: { origin: base, cookie: staff.cookie!, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'days=0',
      redirect: 'manual',
    });
    expect(extend.status).toBe(409); // the route's own refusal of 0 days
    // A wrong token in the header is refused before the body.
    const forged = await fetch(`${base}/logout`, {
      method: 'POST',
      headers: { origin: base, cookie: staff.cookie!, [CSRF_HEADER]: 'forged' },
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    // The logout form as the page sends it (token in the form): the session ends.
    const logout = await fetch(`${base}/logout`, {
      method: 'POST',
      headers: {
        origin: base,
        cookie: anonymous.cookie!,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `${CSRF_FIELD}=${anonymous.token}`,
      redirect: 'manual',
    });
    expect(logout.status).toBe(303);
  });

  it('shows a deadline notice only for an extension the job recorded', async () => {
    const staff = visitors[2]!;
    const page = (query: string) =>
      fetch(`${base}/sender/${ORG}/jobs/${jobId}?${query}`, { headers: { cookie: staff.cookie! } });
    for (const query of ['extended=garbage', 'extended=2031-01-01T00:00:00Z', 'extended=', 'cancelled=1']) {
      const res = await page(query);
      const html = await res.text();
      expect(res.status, query).toBe(200);
      expect(html, query).not.toContain('The deadline is now');
      expect(html, query).not.toContain('Fristen er forlenget');
      expect(html, query).not.toMatch(/role="status"/);
    }
    // Extended for real: the notice gives the recorded deadline, whatever the URL says.
    const extend = await fetch(`${base}/sender/${ORG}/jobs/${jobId}/deadline`, {
      method: 'POST',
      headers: { origin: base, cookie: staff.cookie!, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${CSRF_FIELD}=${staff.token}&days=45`,
      redirect: 'manual',
    });
    expect(extend.status).toBe(303);
    expect(extend.headers.get('location')).toMatch(/\?extended=1$/);
    const after = await (await page('extended=2031-01-01T00:00:00Z&lang=en')).text();
    const notice = /role="status"[^>]*>(.*?)<\//.exec(after)?.[1] ?? '';
    expect(notice).toContain('The deadline is now');
    expect(notice).not.toMatch(/2031/);
  });

  it('counts an aborted upload as a 4xx, not a 5xx', { timeout: 30_000 }, async () => {
    const staff = visitors[2]!;
    const { port, hostname } = new URL(base);
    /** Sends the headers and part of the body, then goes away. */
    const abortMidBody = (path: string, headers: Record<string, string>, chunked = false) =>
      new Promise<void>((resolve) => {
        const socket = connect(Number(port), hostname, () => {
          const length = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': '200000' };
          const head = Object.entries({ host: `${hostname}:${port}`, ...length, ...headers })
            .map(([k, v]) => `${k}: ${v}`)
            .join('\r\n');
          socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n\r\n`);
          socket.write(chunked ? `1000\r\n${'x'.repeat(4096)}\r\n` : 'x'.repeat(50_000));
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 300);
        });
        socket.on('error', () => resolve());
      });
    const multipart = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
    const apiKey = { authorization: `Bearer ${ps.stack.apiKey}` };
    // A page form (logged in, token in the header so the body is read), the API's create (our
    // reader) and a JSON action sent chunked (read by Hono's bodyLimit first).
    const before = await requestCounts();
    await abortMidBody(`/sender/${ORG}/jobs`, {
      origin: base,
      cookie: staff.cookie!,
      [CSRF_HEADER]: staff.token!,
      ...multipart,
    });
    await abortMidBody(`/api/${ORG}/portal/signature-jobs`, { ...apiKey, ...multipart });
    await abortMidBody(
      `/api/${ORG}/portal/signature-jobs/${jobId}/deadline`,
      { ...apiKey, 'content-type': 'application/json' },
      true,
    );
    // Each aborted request is counted once more under its route as a 400; no 5xx anywhere.
    const routes = [
      '/sender/:org/jobs',
      // Each flow's create is a route of its own (api/json/sender-jobs.ts).
      '/api/:org/portal/signature-jobs',
      '/api/:org/portal/signature-jobs/:id/deadline',
    ];
    await expect
      .poll(
        async () => {
          const after = await requestCounts();
          return routes.filter((r) => (after.get(`${r} 400`) ?? 0) > (before.get(`${r} 400`) ?? 0));
        },
        { timeout: 10_000 },
      )
      .toEqual(routes);
    const fiveHundreds = [...(await requestCounts()).keys()].filter((k) => / 5\d\d$/.test(k));
    expect(fiveHundreds).toEqual([]);
  });
});

/** The API's request counter from /metrics, by "route status". */
async function requestCounts(): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^esign_http_requests_total\{([^}]*)\} (\d+)/gm)) {
    const route = /route="([^"]*)"/.exec(m[1]!)?.[1];
    const status = /status="([^"]*)"/.exec(m[1]!)?.[1];
    counts.set(`${route} ${status}`, Number(m[2]));
  }
  return counts;
}
