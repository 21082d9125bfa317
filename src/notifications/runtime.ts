/**
 * The notification adapters a process uses, from its environment: the development stand-ins
 * (SMTP sink, recorded SMS, test register and mailbox) unless configured otherwise.
 */
import type { Db } from '../db/index.js';
import { createNotificationAdapters, loadNotificationConfig, type NotificationAdapters } from './config.js';

export function notificationAdaptersFromEnv(
  db: Db,
  smtpUrl: string | undefined,
  env: Record<string, string | undefined> = process.env,
): NotificationAdapters {
  return createNotificationAdapters({ db, ...(smtpUrl ? { smtpUrl } : {}) }, loadNotificationConfig(env));
}
