/**
 * Structured logging (pino). Redacts the fields that may carry secrets or personal data, so a
 * careless `log.info({ req })` cannot leak an API key or an identity number.
 */
import { pino } from 'pino';

export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'personalIdentificationNumber',
  '*.personalIdentificationNumber',
  'DATABASE_URL',
  'SMTP_URL',
];

export function createLogger(level: string, name: string) {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

export type Logger = ReturnType<typeof createLogger>;
