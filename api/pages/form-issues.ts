/**
 * The API's validation issues as the sender portal's form shows them: each at its field, in plain
 * words in the page's language, never an API path. The API's own answer (path, code, message)
 * stays as it is for API clients.
 */
import type { FieldIssue } from '../../src/job/model.js';
import { isPdfLimitCode } from '../../src/signing/pdf/limits.js';
import type { TextKey, Translate } from './i18n.js';

/** The label of each form field (signer fields as `signer-<row>-<field>`). */
const FIELD_LABELS: Record<string, TextKey> = {
  title: 'fieldTitle',
  nonsensitiveTitle: 'fieldNonsensitiveTitle',
  description: 'fieldDescription',
  reference: 'fieldReference',
  requiredAuthentication: 'fieldRequiredAuthentication',
  documents: 'fieldDocumentsShort',
  activation: 'fieldActivation',
  availableDays: 'fieldAvailableDays',
  identifier: 'fieldIdentifier',
  order: 'fieldOrder',
  email: 'fieldNotifyEmail',
  mobile: 'fieldNotifyMobile',
  signatureType: 'fieldSignatureType',
  onBehalfOf: 'fieldOnBehalfOf',
};

const DOCUMENT_REASONS: Record<string, TextKey> = {
  UNPARSABLE_PDF: 'issueDocumentPdf',
  ENCRYPTED_PDF: 'issueDocumentPdf',
  UNSUPPORTED_PDF_VERSION: 'issueDocumentPdf',
  MIME_TYPE_MISMATCH: 'issueDocumentPdf',
  DOCUMENT_TOO_LARGE: 'issueDocumentSize',
  INVALID_TEXT_ENCODING: 'issueDocumentText',
  DOCUMENT_EMPTY: 'issueDocumentEmpty',
};

/** The plain reason of a document issue: a PDF limit's code (PDF_STREAM_TOO_LARGE, ...) or another. */
const documentReason = (code: string): TextKey | undefined =>
  isPdfLimitCode(code) ? 'issueDocumentLimits' : DOCUMENT_REASONS[code];

/** The plain message for one issue at `field` (a form field id). */
export function plainIssue(t: Translate, issue: FieldIssue, field: string): string {
  const signer = /^signer-(\d+)-(\w+)$/.exec(field);
  const labelKey = FIELD_LABELS[signer ? signer[2]! : field];
  const label = labelKey ? t(labelKey) : field;
  const text = plainText(t, issue, field, label);
  return signer ? `${t('signerN', { n: Number(signer[1]) + 1 })}: ${text}` : text;
}

function plainText(t: Translate, issue: FieldIssue, field: string, label: string): string {
  const reason = documentReason(issue.code);
  if (reason)
    return t('issueDocument', { file: issue.path.replace(/^documents\[\d+\]\.?/, ''), reason: t(reason) });
  switch (issue.code) {
    case 'REQUIRED':
    case 'MISSING_SIGNER_IDENTIFIER':
      return t('issueRequired', { field: label.toLowerCase() });
    case 'TOO_LONG':
      return t('issueTooLong', { field: label });
    case 'INVALID_PERSONAL_IDENTIFICATION_NUMBER':
      return t('issuePid');
    case 'INVALID_EMAIL':
      return t('issueEmail');
    case 'INVALID_MOBILE':
      return t('issueMobile');
    case 'INVALID_TYPE':
      return t('issueNumber', { field: label });
    case 'OUT_OF_RANGE':
      return field === 'availableDays' ? t('issueDays') : t('issueRange', { field: label });
    case 'INVALID_DATE_TIME':
      return t('issueDateTime');
    case 'NO_DOCUMENTS':
    case 'MISSING_DOCUMENT_PART':
      return t('issueNoDocuments');
    case 'NO_SIGNERS':
      return t('issueNoSigners');
    case 'DUPLICATE_SIGNER':
      return t('issueDuplicateSigner');
    case 'PERSONAL_DATA_IN_REFERENCE':
      return t('issuePersonalData');
    case 'NOT_ALLOWED_FOR_SECTOR':
    case 'NOT_ALLOWED_FOR_SIGNER':
      return t('issueNotForSector');
    default:
      return t('issueOther', { field: label });
  }
}
