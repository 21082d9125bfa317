/**
 * Failures that retrying cannot cure. They are Temporal `ApplicationFailure`s marked
 * non-retryable, so an activity that throws one fails at once whatever its retry policy; every
 * other error thrown by this package is retried.
 */
import { ApplicationFailure } from '@temporalio/common';

export const NON_RETRYABLE_NOTIFICATION_ERRORS = [
  /** A callback URL resolves to loopback, private, link-local or multicast addresses. */
  'CallbackTargetRefused',
  /** An e-mail address or mobile number that no retry will make deliverable. */
  'InvalidEmailAddress',
  'InvalidMobileNumber',
  /** The SMTP relay refused the message for good (5xx). */
  'EmailRejected',
] as const;
export type NonRetryableNotificationError = (typeof NON_RETRYABLE_NOTIFICATION_ERRORS)[number];

export function permanentFailure(type: NonRetryableNotificationError, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
