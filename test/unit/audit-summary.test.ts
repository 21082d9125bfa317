/** The signature page's audit summary: told for people, in the job's language, numbers masked. */
import { describe, expect, it } from 'vitest';
import { auditSummary } from '../../src/signatures/audit-summary.js';

const kari = { id: 's1', name: 'Kari Nordmann', personalIdentificationNumber: '01818010083' };
const ola = { id: 's2', name: 'Ola Nordmann', personalIdentificationNumber: '02828110023' };
const t = (m: number) => new Date(Date.UTC(2026, 10, 29, 10, m));
const rows = [
  { at: t(0), actor: 'system', event: 'JOB_CREATED', details: {} },
  { at: t(0), actor: 'system', event: 'JOB_ACTIVATED', details: {} },
  { at: t(1), actor: 'system', event: 'GROUP_ACTIVATED', details: { group: 0, signerIds: ['s1'] } },
  { at: t(2), actor: 'signer:s1', event: 'SIGNER_LOGGED_IN', details: { signerId: 's1', level: 4 } },
  { at: t(3), actor: 'signer:s1', event: 'DOCUMENT_VIEWED', details: { signerId: 's1', session: 'a' } },
  { at: t(3), actor: 'signer:s1', event: 'DOCUMENT_VIEWED', details: { signerId: 's1', session: 'a' } },
  { at: t(4), actor: 'signer:s1', event: 'DOCUMENT_VIEWED', details: { signerId: 's1', session: 'b' } },
  { at: t(5), actor: 'signer:s1', event: 'SIGNED_IN_BROWSER', details: { signerId: 's1' } },
  { at: t(5), actor: 'system', event: 'SIGNER_STATUS', details: { signerId: 's1', status: 'SIGNED' } },
  { at: t(6), actor: 'system', event: 'GROUP_ACTIVATED', details: { group: 1, signerIds: ['s2'] } },
  {
    at: t(7),
    actor: 'system',
    event: 'SIGNER_STATUS',
    details: JSON.stringify({ signerId: 's2', status: 'SIGNED' }),
  },
  { at: t(7), actor: 'system', event: 'JOB_STATUS', details: { status: 'COMPLETED_SUCCESSFULLY' } },
];

describe('audit summary', () => {
  it('names people, masks identity numbers and says "viewed" once per session, in Norwegian', () => {
    const lines = auditSummary(rows, [kari, ola], 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME', 'nb').map(
      (e) => e.text,
    );
    expect(lines).toEqual([
      'Signeringsoppdraget ble opprettet',
      'Gruppe 1 kan signere: Kari Nordmann (fødselsnummer 018180*****)',
      'Kari Nordmann (fødselsnummer 018180*****) logget inn med eID på nivå 4',
      'Kari Nordmann (fødselsnummer 018180*****) åpnet dokumentene',
      'Kari Nordmann (fødselsnummer 018180*****) åpnet dokumentene',
      'Kari Nordmann (fødselsnummer 018180*****) signerte',
      'Gruppe 2 kan signere: Ola Nordmann (fødselsnummer 028281*****)',
      'Ola Nordmann (fødselsnummer 028281*****) signerte',
      'Alle har signert',
    ]);
    expect(lines.join('\n')).not.toContain(kari.personalIdentificationNumber);
    expect(lines.join('\n')).not.toMatch(/SIGNER_STATUS|signer's status|document viewed/i);
  });

  it('is in English for an English job, with the date of birth or the name only as the job chose', () => {
    const byBirth = auditSummary(rows, [kari, ola], 'DATE_OF_BIRTH_AND_NAME', 'en').map((e) => e.text);
    expect(byBirth).toContain('Kari Nordmann (date of birth 01.01.1980) signed');
    expect(byBirth[0]).toBe('The signature job was created');
    const byName = auditSummary(rows, [kari, ola], 'NAME', 'en').map((e) => e.text);
    expect(byName).toContain('Ola Nordmann signed');
    expect(byName.join('\n')).not.toMatch(/\d{6}/);
  });
});
