/**
 * Logging in without a browser, over HTTP, through the local OpenID Connect provider's own pages:
 * GET /login, the provider's TestID form, the callback. A small cookie jar per person keeps the
 * service's and the provider's cookies apart by host.
 */

export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  header(url: string): string {
    const cookies = this.byHost.get(new URL(url).host) ?? new Map();
    return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(url: string, name: string): string | undefined {
    return this.byHost.get(new URL(url).host)?.get(name);
  }

  set(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    if (!this.byHost.has(host)) this.byHost.set(host, new Map());
    this.byHost.get(host)!.set(name, value);
  }

  store(url: string, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) =>
          /^\s*max-age=0/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]!) < new Date()),
      );
      if (expired || value === '') this.byHost.get(new URL(url).host)?.delete(name);
      else this.set(url, name, value);
    }
  }

  /** One request with this jar's cookies; the answer's cookies are kept. No redirect is followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { cookie: this.header(url), ...(init.headers as Record<string, string>) },
    });
    this.store(url, res);
    return res;
  }
}

export interface Hop {
  url: string;
  res: Response;
}

/** Follows redirects with the jar until an answer that is not one, or `stop` says so. */
export async function follow(jar: CookieJar, url: string, stop?: (url: string) => boolean): Promise<Hop> {
  let current = url;
  for (let i = 0; i < 20; i++) {
    if (stop?.(current)) return { url: current, res: new Response(null, { status: 299 }) };
    const res = await jar.fetch(current);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return { url: current, res };
    await res.body?.cancel();
    current = new URL(location, current).href;
  }
  throw new Error(`too many redirects from ${url}`);
}

/**
 * From `startUrl` (a page that sends the browser to /login, or /login itself) to the provider's
 * form, submitted with `pid` and `level`; returns where the browser lands. With `stopAtCallback`,
 * stops before the service's /login/callback and returns its URL unvisited.
 */
export async function loginThroughProvider(
  jar: CookieJar,
  startUrl: string,
  pid: string,
  level: 3 | 4,
  options: { stopAtCallback?: boolean } = {},
): Promise<Hop> {
  const form = await follow(jar, startUrl);
  if (!/\/interaction\/[\w-]+$/.test(form.url)) {
    throw new Error(`expected the provider's login page, got ${form.url} (${form.res.status})`);
  }
  await form.res.text();
  const posted = await jar.fetch(`${form.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ pid, level: String(level) }).toString(),
  });
  const location = posted.headers.get('location');
  if (!location)
    throw new Error(`the provider did not accept the login: ${posted.status} ${await posted.text()}`);
  return follow(jar, new URL(location, form.url).href, (url) =>
    Boolean(options.stopAtCallback && new URL(url).pathname === '/login/callback'),
  );
}
