/**
 * The organisations the tests act for, in one place: every stack, helper and test seeds and asks
 * as the same sender.
 */

/** The sender every stack seeds (a public-sector organisation). */
export const ORG = '987654325';
/** A second sender, to show one organisation never reaches another's jobs. */
export const OTHER_ORG = '974760673';
/** A private-sector sender. */
export const PRIVATE_ORG = '912345674';
