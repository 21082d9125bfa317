/**
 * What the pages need beyond the API's dependencies, and what the page middleware puts on each
 * request: the language with its texts, the browser session (if any) and where the request came from.
 */
import type { RequestOrigin } from '../../src/portal/audit.js';
import type { PortalSession } from '../../src/portal/sessions.js';
import { type ApiDeps, jobServiceDeps } from '../deps.js';
import type { FormBody } from '../http/form-body.js';
import type { Lang, Translate } from './i18n.js';

/** The pages need what the API needs (its eID and signing material included). */
export type PageDeps = ApiDeps;

export type PageEnv = {
  Variables: {
    lang: Lang;
    t: Translate;
    session: PortalSession | null;
    origin: RequestOrigin;
    /** Cookies are Secure when the service is reached over https. */
    secureCookies: boolean;
    /** A POST's form, read within its limits by the door (form-door.ts) before the route runs. */
    form: FormBody;
  };
};

/** The job services' dependencies as the pages pass them on (signing and storage for actAsSigner). */
export function jobDepsOf(deps: PageDeps) {
  return { ...jobServiceDeps(deps), signing: deps.signing, mailbox: deps.notifications?.mailbox };
}
