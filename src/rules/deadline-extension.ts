/**
 * Extending a deadline only extends it. The sender gives the group's lifetime anew
 * (`availableSeconds`, counted from when the group was activated, as at creation), so a number
 * smaller than the one the group has would move its deadline earlier: that is refused, naming the
 * current deadline. The job service checks it against the read model before asking the workflow,
 * and the workflow's update validator checks it again against its own state, so a request racing
 * another extension is refused too. Pure: workflow code imports this file.
 */

export interface ExtensionRefusal {
  code: 'DEADLINE_EARLIER_THAN_CURRENT';
  /** RFC 3339. */
  currentDeadline: string;
  /** RFC 3339: where `availableSeconds` would put the deadline. */
  requestedDeadline: string;
  message: string;
}

/** Where a lifetime of `availableSeconds` from the group's activation puts its deadline. */
export function deadlineAfter(activatedAt: string | Date, availableSeconds: number): Date {
  return new Date(new Date(activatedAt).getTime() + availableSeconds * 1000);
}

/**
 * Null when `availableSeconds` keeps or moves the deadline later; otherwise why not. The same
 * deadline again is no shortening (a repeated request is answered as the first was).
 */
export function extensionRefusal(group: {
  activatedAt: string | Date;
  deadline: string | Date;
  availableSeconds: number;
}): ExtensionRefusal | null {
  const current = new Date(group.deadline);
  const requested = deadlineAfter(group.activatedAt, group.availableSeconds);
  if (requested.getTime() >= current.getTime()) return null;
  const currentDeadline = current.toISOString();
  const requestedDeadline = requested.toISOString();
  return {
    code: 'DEADLINE_EARLIER_THAN_CURRENT',
    currentDeadline,
    requestedDeadline,
    message:
      `availableSeconds: the deadline can only be moved later; the current deadline is ${currentDeadline}, ` +
      `and availableSeconds counted from the group's activation (${new Date(group.activatedAt).toISOString()}) ` +
      `would end at ${requestedDeadline}`,
  };
}
