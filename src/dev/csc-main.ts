/**
 * The local remote signing services as a process of their own (for a service run from its
 * production entry points against them, e.g. a staging trial): `npx tsx src/dev/csc-main.ts`
 * (development harnesses are not part of `npm run build`). CSC_PORT (default 3002; BankID there, Buypass on the next port),
 * CSC_HOST (default 127.0.0.1) and the service's PUBLIC_URL (for the redirect URI they accept).
 * Prints the service's SIGNING_KEYS=csc variables and each provider's CA (to trust) as PEM.
 */
import { z } from 'zod';
import {
  LOCAL_CSC_PROVIDER_NAMES,
  type LocalCscProvider,
  localCscClientFor,
  localCscEnv,
  startLocalCscProvider,
} from './csc-provider.js';

const env = z
  .object({
    CSC_PORT: z.coerce.number().int().min(0).max(65534).default(3002),
    CSC_HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: z.string().url(),
  })
  .safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
if (!env.success) {
  console.error(
    `local CSC providers: ${env.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
  );
  process.exit(78);
}
const providers: LocalCscProvider[] = [];
for (const [i, providerName] of LOCAL_CSC_PROVIDER_NAMES.entries()) {
  providers.push(
    await startLocalCscProvider({
      port: env.data.CSC_PORT === 0 ? 0 : env.data.CSC_PORT + i,
      host: env.data.CSC_HOST,
      providerName,
      clients: [localCscClientFor(env.data.PUBLIC_URL)],
    }),
  );
}
console.log(
  JSON.stringify({
    msg: 'local CSC providers listening',
    env: localCscEnv(providers),
    caCertificates: Object.fromEntries(
      providers.map((p) => [p.providerName, p.caCertificate.toString('pem')]),
    ),
  }),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await Promise.all(providers.map((p) => p.close()));
    process.exit(0);
  });
}
