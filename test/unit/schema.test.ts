import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Flow, Sector } from '../../src/job/model.js';
import {
  directJobRequestSchema,
  EXAMPLE_PID,
  formatPath,
  jobRequestSchema,
  MAX_REPORTED_ISSUES,
  parseJobRequest,
  portalJobRequestSchema,
} from '../../src/job/schema.js';
import { testPersonName } from '../../src/notifications/test-population.js';
import { makeIdentityNumber } from '../helpers/identity-numbers.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const PID = '01819010001'; // the API contract example: a valid Tenor synthetic number
const PID_2 = makeIdentityNumber({ day: 15, month: 5, year: 1980 });
const PID_3 = makeIdentityNumber({ day: 3, month: 11, year: 2001, dNumber: true });

type Json = Record<string, unknown>;

const documents = () => [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }];
const exitUrls = () => ({
  completionUrl: 'https://sender.example/ok',
  rejectionUrl: 'https://sender.example/rejected',
  errorUrl: 'https://sender.example/error',
});

function portalJob(overrides: Json = {}): Json {
  return {
    title: 'Employment contract',
    documents: documents(),
    signers: [{ personalIdentificationNumber: PID }],
    ...overrides,
  };
}

function directJob(overrides: Json = {}): Json {
  return {
    title: 'Employment contract',
    documents: documents(),
    signers: [{ personalIdentificationNumber: PID }],
    exitUrls: exitUrls(),
    ...overrides,
  };
}

function parse(flow: Flow, raw: unknown, sector: Sector = 'PUBLIC') {
  return parseJobRequest(flow, raw, { sector }, NOW);
}

describe('parseJobRequest: valid jobs and defaults', () => {
  it('fills every default of a minimal public portal job', () => {
    expect(parse('portal', portalJob())).toEqual({
      ok: true,
      job: {
        title: 'Employment contract',
        documents: documents(),
        signers: [
          {
            personalIdentificationNumber: PID,
            order: 0,
            signatureType: 'AUTHENTICATED_SIGNATURE',
            onBehalfOf: 'SELF',
          },
        ],
        requiredAuthentication: 4,
        identifierInSignedDocuments: 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME',
        availability: { availableSeconds: 2_592_000 },
        longTermStorage: false,
      },
    });
  });

  it('fills every default of a minimal direct job', () => {
    expect(parse('direct', directJob())).toEqual({
      ok: true,
      job: {
        title: 'Employment contract',
        documents: documents(),
        signers: [
          {
            personalIdentificationNumber: PID,
            order: 0,
            signatureType: 'AUTHENTICATED_SIGNATURE',
            onBehalfOf: 'SELF',
          },
        ],
        requiredAuthentication: 4,
        identifierInSignedDocuments: 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME',
        exitUrls: exitUrls(),
        statusRetrievalMethod: 'WAIT_FOR_CALLBACK',
        longTermStorage: false,
      },
    });
  });

  it('defaults private senders to advanced signatures and normalises mobile numbers', () => {
    const result = parse(
      'portal',
      portalJob({
        signers: [
          { personalIdentificationNumber: PID, notifications: { mobile: '912 34 567' } },
          { email: 'ola@example.com', mobile: '0046701234567', order: 1 },
        ],
      }),
      'PRIVATE',
    );
    expect(result.ok && result.job.signers).toEqual([
      {
        personalIdentificationNumber: PID,
        order: 0,
        signatureType: 'ADVANCED_SIGNATURE',
        onBehalfOf: 'SELF',
        notifications: { mobile: '+4791234567' },
      },
      {
        email: 'ola@example.com',
        mobile: '+46701234567',
        order: 1,
        signatureType: 'ADVANCED_SIGNATURE',
        onBehalfOf: 'SELF',
      },
    ]);
  });

  it('accepts the portal part of the API contract example as written', () => {
    const example = {
      title: 'Employment contract',
      nonsensitiveTitle: 'Contract',
      description: 'Please sign before Friday',
      reference: 'case-2026-17',
      pollingQueue: 'hr-system',
      documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
      signers: [
        {
          personalIdentificationNumber: '01819010001',
          order: 0,
          signatureType: 'AUTHENTICATED_SIGNATURE',
          onBehalfOf: 'SELF',
          notifications: { email: 'kari@example.com', mobile: '+4791234567' },
        },
        { email: 'agent@example.com', order: 1, onBehalfOf: 'OTHER' },
      ],
      requiredAuthentication: 4,
      identifierInSignedDocuments: 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME',
      availability: { activationTime: '2026-12-01T08:00:00Z', availableSeconds: 604800 },
      callbackUrl: 'https://sender.example/hooks/signing',
    };
    const result = parse('portal', example);
    expect(result).toMatchObject({
      ok: true,
      job: {
        availability: { activationTime: '2026-12-01T08:00:00.000Z', availableSeconds: 604800 },
        signers: [{ order: 0 }, { email: 'agent@example.com', order: 1, onBehalfOf: 'OTHER' }],
      },
    });
  });

  it('normalises the activation time to UTC, and a past one to now', () => {
    const future = parse(
      'portal',
      portalJob({ availability: { activationTime: '2026-12-01T09:00:00+01:00' } }),
    );
    expect(future.ok && future.job.availability).toEqual({
      activationTime: '2026-12-01T08:00:00.000Z',
      availableSeconds: 2_592_000,
    });
    const past = parse('portal', portalJob({ availability: { activationTime: '2020-01-01T00:00:00Z' } }));
    expect(past.ok && past.job.availability?.activationTime).toBe(NOW.toISOString());
  });

  it('accepts 10 signers with identity numbers, D-numbers and synthetic numbers', () => {
    const signers = Array.from({ length: 10 }, (_, i) => ({
      personalIdentificationNumber: makeIdentityNumber({
        day: i + 1,
        month: 1,
        year: 1990,
        dNumber: i % 2 === 0,
      }),
      order: i % 3,
    }));
    expect(parse('portal', portalJob({ signers }))).toMatchObject({ ok: true });
  });

  it('trims titles and keeps optional fields', () => {
    const result = parse(
      'direct',
      directJob({
        title: '  Contract  ',
        callbackUrl: 'http://localhost:8080/hook',
        statusRetrievalMethod: 'POLLING',
        longTermStorage: true,
        signers: [{ customIdentifier: 'employee-17' }],
        identifierInSignedDocuments: 'NAME',
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      job: {
        title: 'Contract',
        callbackUrl: 'http://localhost:8080/hook',
        statusRetrievalMethod: 'POLLING',
        longTermStorage: true,
        identifierInSignedDocuments: 'NAME',
        signers: [{ customIdentifier: 'employee-17', order: 0 }],
      },
    });
  });

  it('accepts PERSONAL_IDENTIFICATION_NUMBER_AND_NAME with a signer addressed by e-mail (applies to signers with a number)', () => {
    const result = parse(
      'portal',
      portalJob({
        signers: [{ email: 'a@example.com' }],
        identifierInSignedDocuments: 'DATE_OF_BIRTH_AND_NAME',
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      job: { identifierInSignedDocuments: 'DATE_OF_BIRTH_AND_NAME' },
    });
  });
});

describe("parseJobRequest: the language of the signers' notices", () => {
  it("gives each portal signer its own language, else the job's, else none (Norwegian)", () => {
    const result = parse(
      'portal',
      portalJob({
        notificationLanguage: 'EN',
        signers: [
          { personalIdentificationNumber: PID, language: 'NB' },
          { personalIdentificationNumber: PID_2 },
        ],
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      job: { notificationLanguage: 'EN', signers: [{ language: 'NB' }, { language: 'EN' }] },
    });
    const plain = parse(
      'portal',
      portalJob({ signers: [{ email: 'a@example.com', language: 'EN' }, { email: 'b@example.com' }] }),
    );
    expect(plain.ok && plain.job.signers.map((s) => s.language)).toEqual(['EN', undefined]);
    expect(plain.ok && 'notificationLanguage' in plain.job).toBe(false);
  });
});

interface BadCase {
  name: string;
  flow: Flow;
  sector?: Sector;
  raw: unknown;
  code: string;
  path: string;
}

const eleven = Array.from({ length: 11 }, (_, i) => ({
  personalIdentificationNumber: makeIdentityNumber({ day: i + 1, month: 2, year: 1970 }),
}));

const BAD_INPUTS: BadCase[] = [
  // The job itself
  { name: 'job is null', flow: 'portal', raw: null, code: 'INVALID_TYPE', path: '' },
  { name: 'job is an array', flow: 'direct', raw: [portalJob()], code: 'INVALID_TYPE', path: '' },
  {
    name: 'unknown top-level field',
    flow: 'portal',
    raw: portalJob({ priority: 'high' }),
    code: 'UNKNOWN_FIELD',
    path: 'priority',
  },
  {
    name: 'unknown field with an odd name',
    flow: 'portal',
    raw: portalJob({ 'a b': 1 }),
    code: 'UNKNOWN_FIELD',
    path: '["a b"]',
  },
  // Title, texts
  {
    name: 'title missing',
    flow: 'portal',
    raw: portalJob({ title: undefined }),
    code: 'REQUIRED',
    path: 'title',
  },
  { name: 'title blank', flow: 'portal', raw: portalJob({ title: '   ' }), code: 'REQUIRED', path: 'title' },
  {
    name: 'title too long',
    flow: 'direct',
    raw: directJob({ title: 'x'.repeat(81) }),
    code: 'TOO_LONG',
    path: 'title',
  },
  {
    name: 'title a number',
    flow: 'portal',
    raw: portalJob({ title: 42 }),
    code: 'INVALID_TYPE',
    path: 'title',
  },
  {
    name: 'title null',
    flow: 'portal',
    raw: portalJob({ title: null }),
    code: 'INVALID_TYPE',
    path: 'title',
  },
  {
    name: 'title with a line break',
    flow: 'portal',
    raw: portalJob({ title: 'a\nBcc: x' }),
    code: 'INVALID_CHARACTERS',
    path: 'title',
  },
  {
    name: 'nonsensitiveTitle too long',
    flow: 'portal',
    raw: portalJob({ nonsensitiveTitle: 'x'.repeat(81) }),
    code: 'TOO_LONG',
    path: 'nonsensitiveTitle',
  },
  {
    name: 'nonsensitiveTitle in direct',
    flow: 'direct',
    raw: directJob({ nonsensitiveTitle: 'x' }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'nonsensitiveTitle',
  },
  {
    name: 'description too long',
    flow: 'portal',
    raw: portalJob({ description: 'x'.repeat(221) }),
    code: 'TOO_LONG',
    path: 'description',
  },
  {
    name: 'description with NUL',
    flow: 'portal',
    raw: portalJob({ description: 'a\u0000b' }),
    code: 'INVALID_CHARACTERS',
    path: 'description',
  },
  {
    name: 'reference too long',
    flow: 'portal',
    raw: portalJob({ reference: 'r'.repeat(51) }),
    code: 'TOO_LONG',
    path: 'reference',
  },
  {
    name: 'reference with an identity number',
    flow: 'portal',
    raw: portalJob({ reference: `case-${PID_2}` }),
    code: 'PERSONAL_DATA_IN_REFERENCE',
    path: 'reference',
  },
  {
    name: 'pollingQueue with a space',
    flow: 'portal',
    raw: portalJob({ pollingQueue: 'hr system' }),
    code: 'INVALID_FORMAT',
    path: 'pollingQueue',
  },
  {
    name: 'pollingQueue too long',
    flow: 'direct',
    raw: directJob({ pollingQueue: 'q'.repeat(101) }),
    code: 'TOO_LONG',
    path: 'pollingQueue',
  },
  // Documents
  {
    name: 'documents missing',
    flow: 'portal',
    raw: portalJob({ documents: undefined }),
    code: 'REQUIRED',
    path: 'documents',
  },
  {
    name: 'documents empty',
    flow: 'portal',
    raw: portalJob({ documents: [] }),
    code: 'NO_DOCUMENTS',
    path: 'documents',
  },
  {
    name: 'documents an object',
    flow: 'portal',
    raw: portalJob({ documents: {} }),
    code: 'INVALID_TYPE',
    path: 'documents',
  },
  {
    name: 'fileName with a path',
    flow: 'portal',
    raw: portalJob({ documents: [{ ...documents()[0], fileName: '../etc/passwd' }] }),
    code: 'INVALID_FILE_NAME',
    path: 'documents[0].fileName',
  },
  {
    name: 'fileName with a backslash',
    flow: 'portal',
    raw: portalJob({ documents: [{ ...documents()[0], fileName: 'a\\b.pdf' }] }),
    code: 'INVALID_FILE_NAME',
    path: 'documents[0].fileName',
  },
  {
    name: 'fileName "job" (the JSON part)',
    flow: 'portal',
    raw: portalJob({ documents: [{ ...documents()[0], fileName: 'job' }] }),
    code: 'INVALID_FILE_NAME',
    path: 'documents[0].fileName',
  },
  {
    name: 'fileName too long',
    flow: 'portal',
    raw: portalJob({ documents: [{ ...documents()[0], fileName: `${'f'.repeat(252)}.pdf` }] }),
    code: 'TOO_LONG',
    path: 'documents[0].fileName',
  },
  {
    name: 'duplicate fileName',
    flow: 'portal',
    raw: portalJob({ documents: [...documents(), { ...documents()[0], title: 'Copy' }] }),
    code: 'DUPLICATE_FILE_NAME',
    path: 'documents[1].fileName',
  },
  {
    name: 'document title missing',
    flow: 'direct',
    raw: directJob({ documents: [{ fileName: 'a.pdf', mimeType: 'application/pdf' }] }),
    code: 'REQUIRED',
    path: 'documents[0].title',
  },
  {
    name: 'document title too long',
    flow: 'direct',
    raw: directJob({ documents: [{ ...documents()[0], title: 't'.repeat(81) }] }),
    code: 'TOO_LONG',
    path: 'documents[0].title',
  },
  {
    name: 'mimeType not supported',
    flow: 'portal',
    raw: portalJob({ documents: [{ ...documents()[0], mimeType: 'application/msword' }] }),
    code: 'INVALID_ENUM',
    path: 'documents[0].mimeType',
  },
  {
    name: 'unknown document field',
    flow: 'portal',
    raw: portalJob({ documents: [{ ...documents()[0], size: 10 }] }),
    code: 'UNKNOWN_FIELD',
    path: 'documents[0].size',
  },
  // Signers: count, identity
  {
    name: 'signers missing',
    flow: 'portal',
    raw: portalJob({ signers: undefined }),
    code: 'REQUIRED',
    path: 'signers',
  },
  {
    name: 'no signers',
    flow: 'portal',
    raw: portalJob({ signers: [] }),
    code: 'NO_SIGNERS',
    path: 'signers',
  },
  {
    name: '11 signers',
    flow: 'portal',
    raw: portalJob({ signers: eleven }),
    code: 'TOO_MANY_SIGNERS',
    path: 'signers',
  },
  {
    name: 'signer is a string',
    flow: 'portal',
    raw: portalJob({ signers: [PID] }),
    code: 'INVALID_TYPE',
    path: 'signers[0]',
  },
  {
    name: 'bad check digits',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: '01819010002' }] }),
    code: 'INVALID_PERSONAL_IDENTIFICATION_NUMBER',
    path: 'signers[0].personalIdentificationNumber',
  },
  {
    name: 'identity number of 10 digits',
    flow: 'direct',
    raw: directJob({ signers: [{ personalIdentificationNumber: '0181901000' }] }),
    code: 'INVALID_PERSONAL_IDENTIFICATION_NUMBER',
    path: 'signers[0].personalIdentificationNumber',
  },
  {
    name: 'identity number as a number',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: 1819010001 }] }),
    code: 'INVALID_TYPE',
    path: 'signers[0].personalIdentificationNumber',
  },
  {
    name: 'duplicate identity number',
    flow: 'portal',
    raw: portalJob({
      signers: [{ personalIdentificationNumber: PID }, { personalIdentificationNumber: PID, order: 1 }],
    }),
    code: 'DUPLICATE_SIGNER',
    path: 'signers[1].personalIdentificationNumber',
  },
  {
    name: 'unknown signer field',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, name: 'Kari' }] }),
    code: 'UNKNOWN_FIELD',
    path: 'signers[0].name',
  },
  // Signers: portal addressing
  {
    name: 'portal signer without identifier',
    flow: 'portal',
    raw: portalJob({ signers: [{ onBehalfOf: 'SELF' }] }),
    code: 'MISSING_SIGNER_IDENTIFIER',
    path: 'signers[0]',
  },
  {
    name: 'portal signer with number and e-mail',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, email: 'a@example.com' }] }),
    code: 'AMBIGUOUS_SIGNER_IDENTIFIER',
    path: 'signers[0].email',
  },
  {
    name: 'portal signer e-mail invalid',
    flow: 'portal',
    raw: portalJob({ signers: [{ email: 'kari@example' }] }),
    code: 'INVALID_EMAIL',
    path: 'signers[0].email',
  },
  {
    name: 'portal signer mobile invalid',
    flow: 'portal',
    raw: portalJob({ signers: [{ mobile: '22225555' }] }),
    code: 'INVALID_MOBILE',
    path: 'signers[0].mobile',
  },
  {
    name: 'duplicate contact signer (case, format)',
    flow: 'portal',
    raw: portalJob({
      signers: [
        { email: 'Kari@Example.com', mobile: '91234567' },
        { email: 'kari@example.com', mobile: '+47 912 34 567' },
      ],
    }),
    code: 'DUPLICATE_SIGNER',
    path: 'signers[1].email',
  },
  {
    name: 'customIdentifier in portal',
    flow: 'portal',
    raw: portalJob({ signers: [{ customIdentifier: 'x' }] }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'signers[0].customIdentifier',
  },
  {
    name: 'notifications on a contact signer',
    flow: 'portal',
    raw: portalJob({ signers: [{ email: 'a@example.com', notifications: { email: 'b@example.com' } }] }),
    code: 'NOT_ALLOWED_FOR_SIGNER',
    path: 'signers[0].notifications',
  },
  {
    name: 'private sender without notifications',
    flow: 'portal',
    sector: 'PRIVATE',
    raw: portalJob(),
    code: 'REQUIRED',
    path: 'signers[0].notifications',
  },
  {
    name: 'OTHER signer without notifications',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, onBehalfOf: 'OTHER' }] }),
    code: 'REQUIRED',
    path: 'signers[0].notifications',
  },
  {
    name: 'empty notifications',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, notifications: {} }] }),
    code: 'REQUIRED',
    path: 'signers[0].notifications',
  },
  {
    name: 'notifications e-mail invalid',
    flow: 'portal',
    raw: portalJob({
      signers: [{ personalIdentificationNumber: PID, notifications: { email: 'no at sign' } }],
    }),
    code: 'INVALID_EMAIL',
    path: 'signers[0].notifications.email',
  },
  {
    name: 'notifications mobile invalid',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, notifications: { mobile: '+47123' } }] }),
    code: 'INVALID_MOBILE',
    path: 'signers[0].notifications.mobile',
  },
  {
    name: 'notifications unknown field',
    flow: 'portal',
    raw: portalJob({
      signers: [{ personalIdentificationNumber: PID, notifications: { phone: '91234567' } }],
    }),
    code: 'UNKNOWN_FIELD',
    path: 'signers[0].notifications.phone',
  },
  // Signers: order, types
  {
    name: 'order 10',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, order: 10 }] }),
    code: 'OUT_OF_RANGE',
    path: 'signers[0].order',
  },
  {
    name: 'order -1',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, order: -1 }] }),
    code: 'OUT_OF_RANGE',
    path: 'signers[0].order',
  },
  {
    name: 'order 1.5',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, order: 1.5 }] }),
    code: 'INVALID_TYPE',
    path: 'signers[0].order',
  },
  {
    name: 'order as a string',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, order: '1' }] }),
    code: 'INVALID_TYPE',
    path: 'signers[0].order',
  },
  {
    name: 'signatureType unknown',
    flow: 'portal',
    raw: portalJob({
      signers: [{ personalIdentificationNumber: PID, signatureType: 'QUALIFIED_SIGNATURE' }],
    }),
    code: 'INVALID_ENUM',
    path: 'signers[0].signatureType',
  },
  {
    name: 'authenticated signature for a private sender',
    flow: 'direct',
    sector: 'PRIVATE',
    raw: directJob({
      signers: [{ personalIdentificationNumber: PID, signatureType: 'AUTHENTICATED_SIGNATURE' }],
    }),
    code: 'NOT_ALLOWED_FOR_SECTOR',
    path: 'signers[0].signatureType',
  },
  {
    name: 'onBehalfOf unknown',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, onBehalfOf: 'ME' }] }),
    code: 'INVALID_ENUM',
    path: 'signers[0].onBehalfOf',
  },
  // Signers: direct addressing
  {
    name: 'direct signer without identifier',
    flow: 'direct',
    raw: directJob({ signers: [{}] }),
    code: 'MISSING_SIGNER_IDENTIFIER',
    path: 'signers[0]',
  },
  {
    name: 'direct signer with number and customIdentifier',
    flow: 'direct',
    raw: directJob({ signers: [{ personalIdentificationNumber: PID, customIdentifier: 'c1' }] }),
    code: 'AMBIGUOUS_SIGNER_IDENTIFIER',
    path: 'signers[0].customIdentifier',
  },
  {
    name: 'duplicate customIdentifier',
    flow: 'direct',
    raw: directJob({ signers: [{ customIdentifier: 'c1' }, { customIdentifier: 'c1' }] }),
    code: 'DUPLICATE_SIGNER',
    path: 'signers[1].customIdentifier',
  },
  {
    name: 'customIdentifier too long',
    flow: 'direct',
    raw: directJob({ signers: [{ customIdentifier: 'c'.repeat(101) }] }),
    code: 'TOO_LONG',
    path: 'signers[0].customIdentifier',
  },
  {
    name: 'e-mail signer in direct',
    flow: 'direct',
    raw: directJob({ signers: [{ email: 'a@example.com' }] }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'signers[0].email',
  },
  {
    name: 'order in direct',
    flow: 'direct',
    raw: directJob({ signers: [{ personalIdentificationNumber: PID, order: 0 }] }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'signers[0].order',
  },
  {
    name: 'notifications in direct',
    flow: 'direct',
    raw: directJob({
      signers: [{ personalIdentificationNumber: PID, notifications: { email: 'a@example.com' } }],
    }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'signers[0].notifications',
  },
  // Security level, identifier
  {
    name: 'requiredAuthentication 2',
    flow: 'portal',
    raw: portalJob({ requiredAuthentication: 2 }),
    code: 'INVALID_ENUM',
    path: 'requiredAuthentication',
  },
  {
    name: 'requiredAuthentication "4"',
    flow: 'portal',
    raw: portalJob({ requiredAuthentication: '4' }),
    code: 'INVALID_ENUM',
    path: 'requiredAuthentication',
  },
  {
    name: 'level 3 for a private sender',
    flow: 'direct',
    sector: 'PRIVATE',
    raw: directJob({ requiredAuthentication: 3 }),
    code: 'NOT_ALLOWED_FOR_SECTOR',
    path: 'requiredAuthentication',
  },
  {
    name: 'identifierInSignedDocuments unknown',
    flow: 'portal',
    raw: portalJob({ identifierInSignedDocuments: 'SSN' }),
    code: 'INVALID_ENUM',
    path: 'identifierInSignedDocuments',
  },
  // Availability
  {
    name: 'availability in direct',
    flow: 'direct',
    raw: directJob({ availability: { availableSeconds: 60 } }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'availability',
  },
  {
    name: 'availableSeconds 0',
    flow: 'portal',
    raw: portalJob({ availability: { availableSeconds: 0 } }),
    code: 'OUT_OF_RANGE',
    path: 'availability.availableSeconds',
  },
  {
    name: 'availableSeconds over 90 days',
    flow: 'portal',
    raw: portalJob({ availability: { availableSeconds: 7_776_001 } }),
    code: 'OUT_OF_RANGE',
    path: 'availability.availableSeconds',
  },
  {
    name: 'availableSeconds fractional',
    flow: 'portal',
    raw: portalJob({ availability: { availableSeconds: 1.5 } }),
    code: 'INVALID_TYPE',
    path: 'availability.availableSeconds',
  },
  {
    name: 'availableSeconds a string',
    flow: 'portal',
    raw: portalJob({ availability: { availableSeconds: '3600' } }),
    code: 'INVALID_TYPE',
    path: 'availability.availableSeconds',
  },
  {
    name: 'activationTime date only',
    flow: 'portal',
    raw: portalJob({ availability: { activationTime: '2026-12-01' } }),
    code: 'INVALID_DATE_TIME',
    path: 'availability.activationTime',
  },
  {
    name: 'activationTime without offset',
    flow: 'portal',
    raw: portalJob({ availability: { activationTime: '2026-12-01T08:00:00' } }),
    code: 'INVALID_DATE_TIME',
    path: 'availability.activationTime',
  },
  {
    name: 'activationTime 31 April',
    flow: 'portal',
    raw: portalJob({ availability: { activationTime: '2026-04-31T08:00:00Z' } }),
    code: 'INVALID_DATE_TIME',
    path: 'availability.activationTime',
  },
  {
    name: 'availability unknown field',
    flow: 'portal',
    raw: portalJob({ availability: { deadline: '2026-12-01T08:00:00Z' } }),
    code: 'UNKNOWN_FIELD',
    path: 'availability.deadline',
  },
  // Exit URLs, retrieval, callback
  {
    name: 'exitUrls missing in direct',
    flow: 'direct',
    raw: directJob({ exitUrls: undefined }),
    code: 'REQUIRED',
    path: 'exitUrls',
  },
  {
    name: 'exitUrls in portal',
    flow: 'portal',
    raw: portalJob({ exitUrls: exitUrls() }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'exitUrls',
  },
  {
    name: 'completionUrl relative',
    flow: 'direct',
    raw: directJob({ exitUrls: { ...exitUrls(), completionUrl: '/ok' } }),
    code: 'INVALID_URL',
    path: 'exitUrls.completionUrl',
  },
  {
    name: 'errorUrl ftp',
    flow: 'direct',
    raw: directJob({ exitUrls: { ...exitUrls(), errorUrl: 'ftp://sender.example/e' } }),
    code: 'INVALID_URL',
    path: 'exitUrls.errorUrl',
  },
  {
    name: 'rejectionUrl missing',
    flow: 'direct',
    raw: directJob({ exitUrls: { ...exitUrls(), rejectionUrl: undefined } }),
    code: 'REQUIRED',
    path: 'exitUrls.rejectionUrl',
  },
  {
    name: 'statusRetrievalMethod in portal',
    flow: 'portal',
    raw: portalJob({ statusRetrievalMethod: 'POLLING' }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'statusRetrievalMethod',
  },
  {
    name: 'statusRetrievalMethod unknown',
    flow: 'direct',
    raw: directJob({ statusRetrievalMethod: 'PUSH' }),
    code: 'INVALID_ENUM',
    path: 'statusRetrievalMethod',
  },
  {
    name: 'callbackUrl javascript:',
    flow: 'portal',
    raw: portalJob({ callbackUrl: 'javascript:alert(1)' }),
    code: 'INVALID_URL',
    path: 'callbackUrl',
  },
  {
    name: 'callbackUrl with credentials',
    flow: 'portal',
    raw: portalJob({ callbackUrl: 'https://user:secret@sender.example/hook' }),
    code: 'INVALID_URL',
    path: 'callbackUrl',
  },
  {
    name: 'callbackUrl too long',
    flow: 'portal',
    raw: portalJob({ callbackUrl: `https://sender.example/${'p'.repeat(2048)}` }),
    code: 'TOO_LONG',
    path: 'callbackUrl',
  },
  {
    name: 'longTermStorage a string',
    flow: 'portal',
    raw: portalJob({ longTermStorage: 'yes' }),
    code: 'INVALID_TYPE',
    path: 'longTermStorage',
  },
  // Languages of notices: the enum's UPPER case only, portal only.
  {
    name: 'signer language in lower case',
    flow: 'portal',
    raw: portalJob({ signers: [{ personalIdentificationNumber: PID, language: 'en' }] }),
    code: 'INVALID_ENUM',
    path: 'signers[0].language',
  },
  {
    name: 'signer language unknown',
    flow: 'portal',
    raw: portalJob({ signers: [{ email: 'a@example.com', language: 'DE' }] }),
    code: 'INVALID_ENUM',
    path: 'signers[0].language',
  },
  {
    name: 'notificationLanguage a number',
    flow: 'portal',
    raw: portalJob({ notificationLanguage: 1 }),
    code: 'INVALID_ENUM',
    path: 'notificationLanguage',
  },
  {
    name: 'signer language in the direct flow',
    flow: 'direct',
    raw: directJob({ signers: [{ personalIdentificationNumber: PID, language: 'EN' }] }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'signers[0].language',
  },
  {
    name: 'notificationLanguage in the direct flow',
    flow: 'direct',
    raw: directJob({ notificationLanguage: 'EN' }),
    code: 'NOT_ALLOWED_IN_FLOW',
    path: 'notificationLanguage',
  },
];

describe('parseJobRequest: bad inputs', () => {
  it('has a table of at least 40 distinct cases', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUTS.map((c) => c.name)).size).toBe(BAD_INPUTS.length);
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('%s', (_, c) => {
    // JSON round trip: the request arrives as JSON, so `undefined` means absent.
    const raw = c.raw === undefined ? undefined : JSON.parse(JSON.stringify(c.raw));
    const result = parseJobRequest(c.flow, raw, { sector: c.sector ?? 'PUBLIC' }, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual(expect.objectContaining({ code: c.code, path: c.path }));
    for (const i of result.issues) {
      expect(i.code).toMatch(/^[A-Z][A-Z_]*$/);
      expect(i.message.length).toBeGreaterThan(5);
    }
  });

  it('reports every problem at once, flow problems even when the shape is wrong too', () => {
    const result = parse(
      'direct',
      directJob({ title: '', availability: { availableSeconds: -1 }, signers: [{ email: 'x', order: 99 }] }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => `${i.path}:${i.code}`).sort()).toEqual([
      'availability:NOT_ALLOWED_IN_FLOW',
      'signers[0].email:NOT_ALLOWED_IN_FLOW',
      'signers[0].order:NOT_ALLOWED_IN_FLOW',
      'title:REQUIRED',
    ]);
  });

  it('reports at most 100 issues', () => {
    const fields = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`extra${i}`, i]));
    const result = parse('portal', portalJob(fields));
    expect(result.ok === false && result.issues.length).toBe(MAX_REPORTED_ISSUES);
  });

  it('ignores inherited properties and treats "__proto__" as an unknown field', () => {
    const raw = JSON.parse('{"__proto__": {"title": "x"}, "documents": [], "signers": []}');
    const result = parse('portal', raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual(expect.objectContaining({ path: 'title', code: 'REQUIRED' }));
  });
});

describe('formatPath', () => {
  it('writes bracket indexes and dotted names', () => {
    expect(formatPath(['signers', 1, 'email'])).toBe('signers[1].email');
    expect(formatPath(['title'])).toBe('title');
    expect(formatPath([])).toBe('');
    expect(formatPath(['x', 'a-b'])).toBe('x["a-b"]');
  });
});

describe('exported schemas', () => {
  it('convert to JSON Schema (for OpenAPI) with examples and descriptions', () => {
    for (const schema of [jobRequestSchema, directJobRequestSchema, portalJobRequestSchema]) {
      const json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
      expect(json.additionalProperties).toBe(false);
      expect(json.description).toBeTruthy();
      expect(json.example).toBeTruthy();
    }
    const portal = z.toJSONSchema(portalJobRequestSchema) as { properties: Record<string, unknown> };
    expect(Object.keys(portal.properties)).not.toContain('exitUrls');
    const direct = z.toJSONSchema(directJobRequestSchema) as { required: string[] };
    expect(direct.required).toContain('exitUrls');
  });
});

describe('parseJobRequest never throws (property-based)', () => {
  const flows = fc.constantFrom<Flow>('direct', 'portal');
  const sectors = fc.constantFrom<Sector>('PUBLIC', 'PRIVATE');

  const checkResult = (result: ReturnType<typeof parseJobRequest>) => {
    if (result.ok) {
      expect(result.job.signers.length).toBeGreaterThanOrEqual(1);
      expect(result.job.signers.length).toBeLessThanOrEqual(10);
      expect(result.job.documents.length).toBeGreaterThanOrEqual(1);
    } else {
      expect(result.issues.length).toBeGreaterThan(0);
      expect(result.issues.length).toBeLessThanOrEqual(MAX_REPORTED_ISSUES);
      for (const i of result.issues) {
        expect(typeof i.path).toBe('string');
        expect(i.code).toMatch(/^[A-Z][A-Z_]*$/);
      }
    }
  };

  it('on any JavaScript value', () => {
    fc.assert(
      fc.property(
        flows,
        sectors,
        fc.anything({ withNullPrototype: true, withObjectString: true }),
        (flow, sector, raw) => {
          checkResult(parseJobRequest(flow, raw, { sector }, NOW));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('on any JSON value', () => {
    fc.assert(
      fc.property(flows, sectors, fc.jsonValue(), (flow, sector, raw) => {
        checkResult(parseJobRequest(flow, raw, { sector }, NOW));
      }),
      { numRuns: 1000 },
    );
  });

  it('on valid jobs with fields replaced by arbitrary JSON', () => {
    const fieldNames = [
      'title',
      'nonsensitiveTitle',
      'description',
      'reference',
      'pollingQueue',
      'documents',
      'signers',
      'requiredAuthentication',
      'identifierInSignedDocuments',
      'availability',
      'exitUrls',
      'statusRetrievalMethod',
      'callbackUrl',
      'longTermStorage',
    ];
    const signerFieldNames = [
      'personalIdentificationNumber',
      'customIdentifier',
      'email',
      'mobile',
      'order',
      'signatureType',
      'onBehalfOf',
      'notifications',
    ];
    fc.assert(
      fc.property(
        flows,
        sectors,
        fc.dictionary(fc.constantFrom(...fieldNames), fc.jsonValue(), { maxKeys: 3 }),
        fc.dictionary(fc.constantFrom(...signerFieldNames), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        (flow, sector, jobFields, signerFields) => {
          const base = flow === 'direct' ? directJob() : portalJob();
          const raw = {
            ...base,
            signers: [{ personalIdentificationNumber: PID_3, ...signerFields }],
            ...jobFields,
          };
          checkResult(parseJobRequest(flow, raw, { sector }, NOW));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('the examples of /docs', () => {
  it('name a person of the development test population, so a job made from them runs', () => {
    // Written out in src/job/schema.ts so production code does not import the population.
    expect(testPersonName(EXAMPLE_PID)).toBe('Kari Nordmann');
  });
});
