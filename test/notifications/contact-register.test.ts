/** The contact and reservation register: the development register and the HTTP client. */
import { describe, expect, it } from 'vitest';
import {
  createDevContactRegister,
  createHttpContactRegister,
} from '../../src/notifications/contact-register.js';
import { seedDevContactRegister } from '../../src/notifications/dev-register-seed.js';
import {
  syntheticPid,
  testPersonName,
  testPopulation,
  UNREGISTERED_TEST_PID,
} from '../../src/notifications/test-population.js';
import { validatePersonalIdentificationNumber } from '../../src/rules/identity.js';
import { json, startHttpServer, useTestDatabase } from '../helpers/notification-stand-ins.js';

const db = useTestDatabase(seedDevContactRegister);

const person = (name: string) => testPopulation.find((p) => p.name === name)!;

describe('test population', () => {
  it('has valid synthetic identity numbers (month + 80), unique, with names', () => {
    const pids = [...testPopulation.map((p) => p.pid), UNREGISTERED_TEST_PID];
    expect(new Set(pids).size).toBe(pids.length);
    for (const pid of pids) {
      expect(validatePersonalIdentificationNumber(pid)).toMatchObject({ ok: true, kind: 'SYNTHETIC' });
      expect(Number(pid.slice(2, 4))).toBeGreaterThan(80);
    }
    expect(testPersonName(person('Kari Nordmann').pid)).toBe('Kari Nordmann');
    expect(testPersonName(UNREGISTERED_TEST_PID)).toBeUndefined();
    expect(syntheticPid(1, 1, 80)).toBe(person('Kari Nordmann').pid);
  });

  it('covers every register outcome', () => {
    expect(testPopulation.filter((p) => !p.reserved && p.email && p.mobile).length).toBeGreaterThanOrEqual(3);
    expect(testPopulation.filter((p) => p.reserved).length).toBeGreaterThanOrEqual(2);
    expect(testPopulation.filter((p) => !p.reserved && !p.email && !p.mobile).length).toBeGreaterThanOrEqual(
      2,
    );
  });
});

describe('development register', () => {
  it('answers found, reserved, not found and no contact details', async () => {
    const register = createDevContactRegister(db());
    const kari = person('Kari Nordmann');
    const sofie = person('Sofie Berg');
    const nils = person('Nils Olsen');
    const emil = person('Emil Pedersen');
    const answer = await register.lookup([kari.pid, sofie.pid, nils.pid, emil.pid, UNREGISTERED_TEST_PID]);
    expect(answer.get(kari.pid)).toEqual({ status: 'ACTIVE', email: kari.email, mobile: kari.mobile });
    expect(answer.get(sofie.pid)).toEqual({ status: 'ACTIVE', email: sofie.email });
    // Reserved wins over the contact details the register still holds.
    expect(answer.get(nils.pid)).toEqual({ status: 'RESERVED' });
    expect(answer.get(emil.pid)).toEqual({ status: 'NO_CONTACT_INFO' });
    expect(answer.get(UNREGISTERED_TEST_PID)).toEqual({ status: 'NOT_FOUND' });
    expect((await register.lookup([])).size).toBe(0);
  });

  it('sees a change in the register at the next lookup (re-lookup before a reminder)', async () => {
    const register = createDevContactRegister(db());
    const per = person('Per Johansen');
    expect((await register.lookup([per.pid])).get(per.pid)?.status).toBe('ACTIVE');
    await db()
      .updateTable('dev_contact_register')
      .set({ reserved: true })
      .where('pid', '=', per.pid)
      .execute();
    expect((await register.lookup([per.pid])).get(per.pid)).toEqual({ status: 'RESERVED' });
    await seedDevContactRegister(db()); // seeding again restores the test person
    expect((await register.lookup([per.pid])).get(per.pid)?.status).toBe('ACTIVE');
  });
});

describe('HTTP register client', () => {
  it('posts the identity numbers with the bearer token and maps every outcome', async () => {
    const [active, reserved, deleted, empty, missing] = testPopulation.map((p) => p.pid);
    const server = await startHttpServer((_req, res) =>
      json(res, 200, {
        personer: [
          {
            personidentifikator: active,
            status: 'AKTIV',
            reservasjon: 'NEI',
            kontaktinformasjon: { epostadresse: 'a@example.com', mobiltelefonnummer: '912 34 567' },
          },
          {
            personidentifikator: reserved,
            status: 'AKTIV',
            reservasjon: 'JA',
            kontaktinformasjon: { epostadresse: 'r@example.com' },
          },
          { personidentifikator: deleted, status: 'SLETTET' },
          { personidentifikator: empty, status: 'AKTIV', reservasjon: 'NEI', kontaktinformasjon: null },
          { personidentifikator: '00000000000', status: 'AKTIV', reservasjon: 'NEI' },
        ],
      }),
    );
    try {
      const register = createHttpContactRegister({
        baseUrl: `${server.url}/krr`,
        bearerToken: 'secret-token',
      });
      const answer = await register.lookup([active!, reserved!, deleted!, empty!, missing!]);
      expect(answer.get(active!)).toEqual({
        status: 'ACTIVE',
        email: 'a@example.com',
        mobile: '+4791234567',
      });
      expect(answer.get(reserved!)).toEqual({ status: 'RESERVED' });
      expect(answer.get(deleted!)).toEqual({ status: 'NOT_FOUND' });
      expect(answer.get(empty!)).toEqual({ status: 'NO_CONTACT_INFO' });
      expect(answer.get(missing!)).toEqual({ status: 'NOT_FOUND' });
      expect(answer.has('00000000000')).toBe(false);
      const [req] = server.requests;
      expect(req?.url).toBe('/krr/rest/v1/personer');
      expect(req?.headers.authorization).toBe('Bearer secret-token');
      expect(JSON.parse(req!.body)).toEqual({
        personidentifikatorer: [active, reserved, deleted, empty, missing],
      });
    } finally {
      await server.close();
    }
  });

  it('throws on an error status or an unexpected answer, so the activity retries', async () => {
    let reply: [number, unknown] = [500, {}];
    const server = await startHttpServer((_req, res) => json(res, reply[0], reply[1]));
    try {
      const register = createHttpContactRegister({ baseUrl: server.url, bearerToken: 't' });
      await expect(register.lookup([UNREGISTERED_TEST_PID])).rejects.toMatchObject({
        name: 'ContactRegisterError',
      });
      reply = [200, { people: [] }];
      await expect(register.lookup([UNREGISTERED_TEST_PID])).rejects.toThrow(/unexpected shape/);
    } finally {
      await server.close();
    }
  });
});
