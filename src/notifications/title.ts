/**
 * Which title a notice may show. A notice travels by e-mail and SMS, outside the logged-in
 * portal, so a job that needs security level 4 (sensitive content) or a signer whose contact
 * details came from the register (the sender never chose that channel) only gets the
 * non-sensitive title, and without one no title at all: the template then says "a document".
 */
import type { AuthenticationLevel } from '../job/model.js';

export interface NoticeTitleInput {
  title: string;
  nonsensitiveTitle?: string | null;
  requiredAuthentication: AuthenticationLevel;
  /** The signer's contact details come from the contact and reservation register (KRR). */
  contactFromRegister: boolean;
}

/** The title to show in a signer notice, or `undefined` when none may be shown. */
export function titleForNotice(input: NoticeTitleInput): string | undefined {
  const needsNonsensitive = input.requiredAuthentication === 4 || input.contactFromRegister;
  if (!needsNonsensitive) return input.title;
  const nonsensitive = input.nonsensitiveTitle?.trim();
  return nonsensitive ? nonsensitive : undefined;
}
