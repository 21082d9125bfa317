/**
 * The built-in test eID: the person types a national identity number (synthetic test numbers
 * welcome) and picks security level 3 or 4 on our own login page; no password, no outside
 * service. Advanced signatures use a per-person key from the test eID CA (person-keys.ts).
 * Never to be configured in production: anyone can log in as anyone.
 */
import { validatePersonalIdentificationNumber } from '../rules/identity.js';
import type { CertifiedKey } from '../signing/index.js';
import { testEidName } from './names.js';
import type { PersonKeyStore } from './person-keys.js';
import type { AuthenticatedIdentity, EidProvider, LoginResult, LoginStart } from './provider.js';

export const TEST_EID_NAME = 'Test eID';

/** The form fields of the test login page. */
export const TEST_LOGIN_FIELDS = { pid: 'pid', level: 'level' } as const;

export class TestEidProvider implements EidProvider {
  readonly name = TEST_EID_NAME;

  constructor(
    private readonly keys: PersonKeyStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  startLogin(): LoginStart {
    return { kind: 'form' };
  }

  async finishLogin(params: Record<string, string>): Promise<LoginResult> {
    const pid = (params[TEST_LOGIN_FIELDS.pid] ?? '').replace(/\s+/g, '');
    const check = validatePersonalIdentificationNumber(pid);
    if (!check.ok) {
      return {
        ok: false,
        code: 'INVALID_IDENTITY_NUMBER',
        message: `not a valid identity number: ${check.reason}`,
      };
    }
    const level = params[TEST_LOGIN_FIELDS.level];
    if (level !== '3' && level !== '4') {
      return { ok: false, code: 'INVALID_LEVEL', message: 'the security level must be 3 or 4' };
    }
    const identity: AuthenticatedIdentity = {
      pid,
      name: testEidName(pid),
      level: level === '3' ? 3 : 4,
      authenticatedAt: this.now(),
      provider: this.name,
    };
    return { ok: true, identity };
  }

  signingKey(identity: Pick<AuthenticatedIdentity, 'pid' | 'name'>): Promise<CertifiedKey> {
    return this.keys.keyOf(identity);
  }
}
