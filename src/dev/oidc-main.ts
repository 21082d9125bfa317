/**
 * The local login provider as a process of its own (for a service run from its production entry
 * points against it, e.g. a staging trial): `npx tsx src/dev/oidc-main.ts` (development harnesses
 * are not part of `npm run build`). OIDC_PORT (default 3001), OIDC_HOST (default 127.0.0.1) and the
 * service's PUBLIC_URL (for the redirect URIs it accepts). Prints its issuer URL.
 */
import { z } from 'zod';
import { localClientFor, startLocalOidcProvider } from './oidc-provider.js';

const env = z
  .object({
    OIDC_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    OIDC_HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: z.string().url(),
  })
  .safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
if (!env.success) {
  console.error(
    `local OIDC provider: ${env.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
  );
  process.exit(78);
}
const provider = await startLocalOidcProvider({
  port: env.data.OIDC_PORT,
  host: env.data.OIDC_HOST,
  clients: [localClientFor(env.data.PUBLIC_URL)],
});
console.log(JSON.stringify({ msg: 'local OIDC provider listening', issuer: provider.issuer }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await provider.close();
    process.exit(0);
  });
}
