/**
 * Choosing the eID by configuration. `EID_PROVIDER=test` (the default outside production) is the
 * built-in test eID; production must name its provider explicitly, so the test login can never be
 * switched on there by accident. A real provider (OpenID Connect login, BankID-style signing)
 * implements `EidProvider` and is added as another case here.
 */
import type { Db } from '../db/index.js';
import type { Pki } from '../signing/index.js';
import { createPersonKeyStore } from './person-keys.js';
import type { EidProvider } from './provider.js';
import { TestEidProvider } from './test-provider.js';

export type { AuthenticatedIdentity, EidProvider, LoginResult, LoginStart } from './provider.js';
export { TEST_EID_NAME, TEST_LOGIN_FIELDS, TestEidProvider } from './test-provider.js';

export class EidConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EidConfigError';
  }
}

export interface EidSettings {
  appEnv: 'development' | 'production' | 'test';
  /** `EID_PROVIDER` from the environment. */
  provider?: string | undefined;
  /** `EID_TEST_ALLOW_PRODUCTION=true` lets a staging system run in production mode with the test eID. */
  allowTestInProduction?: boolean;
}

export function createEidProvider(settings: EidSettings, deps: { db: Db; pki: Pki }): EidProvider {
  const chosen = settings.provider ?? (settings.appEnv === 'production' ? undefined : 'test');
  if (chosen === undefined) {
    throw new EidConfigError(
      'EID_PROVIDER must be set in production (the test eID lets anyone log in as anyone)',
    );
  }
  if (chosen !== 'test') throw new EidConfigError(`EID_PROVIDER: unknown provider ${JSON.stringify(chosen)}`);
  if (settings.appEnv === 'production' && !settings.allowTestInProduction) {
    throw new EidConfigError('EID_PROVIDER=test is refused in production');
  }
  return new TestEidProvider(createPersonKeyStore(deps.db, deps.pki));
}

/** From the environment: EID_PROVIDER, EID_TEST_ALLOW_PRODUCTION. */
export function eidSettingsFromEnv(
  appEnv: EidSettings['appEnv'],
  env: Record<string, string | undefined> = process.env,
): EidSettings {
  return {
    appEnv,
    ...(env.EID_PROVIDER ? { provider: env.EID_PROVIDER } : {}),
    allowTestInProduction: env.EID_TEST_ALLOW_PRODUCTION === 'true',
  };
}
