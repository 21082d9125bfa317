/**
 * The one HTTP call the production clients (SMS gateway, contact register, digital mailbox)
 * make: POST JSON with a timeout, and an error of the caller's kind for anything but 2xx.
 * Errors carry the status only, never a body: both ways they hold numbers, names and texts.
 */

export interface PostJsonOptions {
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  /** Builds the caller's error; `status` is absent when no answer came. */
  error: (message: string, status?: number) => Error;
  /** What the caller calls the other side, for messages ("the SMS gateway"). */
  peer: string;
}

export async function postJson(url: string | URL, opts: PostJsonOptions): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...opts.headers },
      body: JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    throw opts.error(`${opts.peer} could not be reached: ${(err as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw opts.error(`${opts.peer} answered HTTP ${response.status}`, response.status);
  }
  return response;
}

/** The answer's JSON, or `undefined` when it has none. */
export async function jsonOf(response: Response): Promise<unknown> {
  return response.json().catch(() => undefined);
}

/** A base URL that `new URL(relative, base)` extends instead of replacing its last segment. */
export function asBaseUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
