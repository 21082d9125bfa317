/**
 * The development register's people: the synthetic test population seeded into the development
 * contact register and mailbox, and the names they log in with. The only way to the test
 * population outside tests: production code never imports this module (a test checks the import
 * graph of the production entries, test/ops/production-build.test.ts). It is loaded when
 * CONTACT_REGISTER=dev chooses the development register (api/main.ts), by the development
 * endpoints (mounted only outside production), and by the development harnesses (src/dev).
 */
import type { Db } from '../db/index.js';
import { generatedName } from '../eid/names.js';
import { testPersonName, testPopulation } from './test-population.js';

export { testPersonName };

/**
 * Puts the synthetic test people into the development register and gives those with
 * `hasMailbox` a development mailbox. Idempotent: run at every development start-up. It resets
 * the people's register entries (so a hand-edited entry returns to its seed) but never removes
 * mailbox accounts created since.
 */
export async function seedDevContactRegister(db: Db): Promise<void> {
  await db
    .insertInto('dev_contact_register')
    .values(
      testPopulation.map((p) => ({
        pid: p.pid,
        name: p.name,
        email: p.email ?? null,
        mobile: p.mobile ?? null,
        reserved: p.reserved,
      })),
    )
    .onConflict((oc) =>
      oc.column('pid').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        email: eb.ref('excluded.email'),
        mobile: eb.ref('excluded.mobile'),
        reserved: eb.ref('excluded.reserved'),
      })),
    )
    .execute();
  const withMailbox = testPopulation.filter((p) => p.hasMailbox).map((p) => ({ pid: p.pid }));
  await db
    .insertInto('dev_mailbox_accounts')
    .values(withMailbox)
    .onConflict((oc) => oc.column('pid').doNothing())
    .execute();
}

/**
 * The name a test person logs in with (the local login provider's `name` claim, the development
 * sign endpoint): the test population's name for its numbers, otherwise a made-up name derived
 * from the number, so the same number always logs in as the same person.
 */
export function testEidName(pid: string): string {
  return testPersonName(pid) ?? generatedName(pid);
}
