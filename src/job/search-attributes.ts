/**
 * Search attributes of a signature-job workflow: what operators filter jobs by in the Temporal UI
 * (e.g. `SenderOrganization = "987654325" AND SignatureJobStatus = "FAILED"`). They must be
 * registered on the Temporal server (the dev launcher and test setup do it).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SENDER_ORGANIZATION = defineSearchAttributeKey(
  'SenderOrganization',
  SearchAttributeType.KEYWORD,
);
export const SIGNATURE_JOB_FLOW = defineSearchAttributeKey('SignatureJobFlow', SearchAttributeType.KEYWORD);
export const SIGNATURE_JOB_STATUS = defineSearchAttributeKey(
  'SignatureJobStatus',
  SearchAttributeType.KEYWORD,
);
export const SIGNATURE_JOB_REFERENCE = defineSearchAttributeKey(
  'SignatureJobReference',
  SearchAttributeType.KEYWORD,
);

export const JOB_SEARCH_ATTRIBUTES = [
  SENDER_ORGANIZATION,
  SIGNATURE_JOB_FLOW,
  SIGNATURE_JOB_STATUS,
  SIGNATURE_JOB_REFERENCE,
];

/** `--search-attribute Name=Keyword` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return JOB_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
}
