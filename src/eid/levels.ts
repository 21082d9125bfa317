/**
 * Security levels and the national login service's `acr` values for them. Pure data, shared by
 * the OpenID Connect login (which asks for and checks them) and the local provider (which issues them).
 */
import type { AuthenticationLevel } from '../job/model.js';

/** ID-porten's names for our levels: 3 is "substantial" (MinID and the like), 4 "high" (BankID, Buypass). */
export const DEFAULT_LEVEL_ACR: Readonly<Record<AuthenticationLevel, string>> = {
  3: 'idporten-loa-substantial',
  4: 'idporten-loa-high',
};

/** The level an `acr` value stands for under `mapping`, or undefined for an unknown value. */
export function levelOfAcr(
  acr: unknown,
  mapping: Readonly<Record<AuthenticationLevel, string>>,
): AuthenticationLevel | undefined {
  if (acr === mapping[4]) return 4;
  if (acr === mapping[3]) return 3;
  return undefined;
}
