import { describe, expect, it } from 'vitest';
import {
  dateOfBirthFromIdentityNumber,
  formatBirthDate,
  signerIdentifier,
} from '../../src/signing/identifiers.js';

describe('date of birth from a Norwegian identity number', () => {
  it.each([
    ['01017012345', '01.01.1970', 'birth number, individual number 000-499: 1900s'],
    ['24129049922', '24.12.1990', 'birth number, individual number 499 still 1900s'],
    ['41017012345', '01.01.1970', 'D-number: 4 added to the first digit'],
    ['71129049922', '31.12.1990', 'D-number on the 31st'],
    ['01417012345', '01.01.1970', 'synthetic number (NAV/Dolly): 40 added to the month'],
    ['01817012345', '01.01.1970', 'synthetic number (Tenor): 80 added to the month'],
    ['41817012345', '01.01.1970', 'synthetic D-number'],
    ['15050150012', '15.05.2001', 'individual number 500-999 with year 00-39: 2000s'],
    ['15056090012', '15.05.1960', 'individual number 900-999 with year 40-99: 1900s'],
    ['15056060012', '15.05.1860', 'individual number 500-749 with year 54-99: 1800s'],
  ])('%s gives %s (%s)', (pid, expected) => {
    const date = dateOfBirthFromIdentityNumber(pid);
    expect(date).toBeDefined();
    expect(formatBirthDate(date!)).toBe(expected);
  });

  it.each([
    ['31027012345', 'the 31st of February'],
    ['15056080012', 'individual number 750-899 with year 40-99 is never issued'],
    ['0101701234', 'ten digits'],
    ['0101701234x', 'not digits'],
    ['01137012345', 'month 13'],
  ])('%s gives nothing (%s)', (pid) => {
    expect(dateOfBirthFromIdentityNumber(pid)).toBeUndefined();
  });
});

describe('the identifier shown for a signer in the signed document', () => {
  const signer = { name: 'Kari Nordmann', personalIdentificationNumber: '41017012345' };

  it('shows the identity number when the job asks for it', () => {
    expect(signerIdentifier(signer, 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME')).toEqual({
      label: 'Fødselsnummer',
      value: '41017012345',
    });
  });

  it('shows only the date of birth, derived from a D-number, when the job asks for that', () => {
    expect(signerIdentifier(signer, 'DATE_OF_BIRTH_AND_NAME')).toEqual({
      label: 'Fødselsdato',
      value: '01.01.1970',
    });
  });

  it('shows nothing but the name when the job asks for NAME, or when there is no identity number', () => {
    expect(signerIdentifier(signer, 'NAME')).toBeUndefined();
    expect(
      signerIdentifier({ name: 'X', customIdentifier: 'c-1' }, 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME'),
    ).toBeUndefined();
  });
});
