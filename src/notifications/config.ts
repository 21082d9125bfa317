/**
 * Configuration of the outside world the notices reach, read from the environment beside
 * src/config.ts, and the one place that picks development or production implementations.
 * In production a development stand-in is refused: an SMS "sent" into a table would be lost.
 */
import { z } from 'zod';
import { ConfigError } from '../config.js';
import type { Db } from '../db/index.js';
import { PRIVATE_TARGET_POLICIES, type PrivateTargetPolicy } from './callbacks/target-guard.js';
import {
  type ContactRegister,
  createDevContactRegister,
  createHttpContactRegister,
} from './contact-register.js';
import { createDevDigitalMailbox, createHttpDigitalMailbox, type DigitalMailbox } from './mailbox.js';
import { createMailer, type Mailer } from './mailer.js';
import { createDevSmsGateway, createHttpSmsGateway, type SmsGateway } from './sms.js';

const optionalUrl = z.string().url().optional();
const jsonTemplate = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .optional();

const schema = z
  .object({
    APP_ENV: z.enum(['development', 'production', 'test']).default('production'),
    MAIL_FROM: z.string().min(3).default('"Signeringstjenesten" <noreply@signering.localhost>'),
    SMS_GATEWAY: z.enum(['dev', 'http']).optional(),
    SMS_HTTP_URL: optionalUrl,
    SMS_HTTP_USERNAME: z.string().optional(),
    SMS_HTTP_PASSWORD: z.string().optional(),
    SMS_HTTP_TOKEN: z.string().optional(),
    /** JSON body with {{to}}, {{text}}, {{idempotencyKey}}, {{sender}} placeholders. */
    SMS_HTTP_BODY_TEMPLATE: jsonTemplate,
    SMS_HTTP_RESPONSE_ID_FIELD: z.string().optional(),
    SMS_SENDER: z.string().max(11).optional(),
    CONTACT_REGISTER: z.enum(['dev', 'http']).optional(),
    CONTACT_REGISTER_URL: optionalUrl,
    CONTACT_REGISTER_TOKEN: z.string().optional(),
    DIGITAL_MAILBOX: z.enum(['dev', 'http']).optional(),
    DIGITAL_MAILBOX_URL: optionalUrl,
    DIGITAL_MAILBOX_TOKEN: z.string().optional(),
    /** Which non-public callback targets are allowed: none (default in production), loopback, all. */
    CALLBACK_ALLOW_PRIVATE_TARGETS: z.enum(PRIVATE_TARGET_POLICIES).optional(),
  })
  .superRefine((c, ctx) => {
    const production = c.APP_ENV === 'production';
    const need = (name: keyof typeof c, when: boolean, why: string) => {
      if (when && !c[name]) ctx.addIssue({ code: 'custom', path: [name], message: `required ${why}` });
    };
    need('SMS_GATEWAY', production, 'in production (dev or http)');
    need('CONTACT_REGISTER', production, 'in production (dev or http)');
    need('DIGITAL_MAILBOX', production, 'in production (dev or http)');
    need('SMS_HTTP_URL', c.SMS_GATEWAY === 'http', 'when SMS_GATEWAY=http');
    need('CONTACT_REGISTER_URL', c.CONTACT_REGISTER === 'http', 'when CONTACT_REGISTER=http');
    need('CONTACT_REGISTER_TOKEN', c.CONTACT_REGISTER === 'http', 'when CONTACT_REGISTER=http');
    need('DIGITAL_MAILBOX_URL', c.DIGITAL_MAILBOX === 'http', 'when DIGITAL_MAILBOX=http');
    need('DIGITAL_MAILBOX_TOKEN', c.DIGITAL_MAILBOX === 'http', 'when DIGITAL_MAILBOX=http');
  });

export type NotificationConfig = z.infer<typeof schema> & {
  SMS_GATEWAY: 'dev' | 'http';
  CONTACT_REGISTER: 'dev' | 'http';
  DIGITAL_MAILBOX: 'dev' | 'http';
  CALLBACK_ALLOW_PRIVATE_TARGETS: PrivateTargetPolicy;
};

/** Validates `env`; throws ConfigError naming every bad variable (values are never echoed: they may be secrets). */
export function loadNotificationConfig(
  env: Record<string, string | undefined> = process.env,
): NotificationConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0] ?? '')}: ${i.message}`));
  }
  const c = parsed.data;
  return {
    ...c,
    SMS_GATEWAY: c.SMS_GATEWAY ?? 'dev',
    CONTACT_REGISTER: c.CONTACT_REGISTER ?? 'dev',
    DIGITAL_MAILBOX: c.DIGITAL_MAILBOX ?? 'dev',
    CALLBACK_ALLOW_PRIVATE_TARGETS:
      c.CALLBACK_ALLOW_PRIVATE_TARGETS ?? (c.APP_ENV === 'production' ? 'none' : 'loopback'),
  };
}

export interface NotificationAdapters {
  /** Absent when no SMTP_URL is configured. */
  mailer?: Mailer;
  sms: SmsGateway;
  contactRegister: ContactRegister;
  mailbox: DigitalMailbox;
  allowPrivateCallbackTargets: PrivateTargetPolicy;
}

/** The implementations the configuration asks for, ready to inject into the activities. */
export function createNotificationAdapters(
  deps: { db: Db; smtpUrl?: string },
  config: NotificationConfig,
): NotificationAdapters {
  const { db } = deps;
  return {
    ...(deps.smtpUrl ? { mailer: createMailer(deps.smtpUrl, { from: config.MAIL_FROM }) } : {}),
    sms:
      config.SMS_GATEWAY === 'http'
        ? createHttpSmsGateway({
            url: config.SMS_HTTP_URL!,
            ...(config.SMS_HTTP_USERNAME !== undefined ? { username: config.SMS_HTTP_USERNAME } : {}),
            ...(config.SMS_HTTP_PASSWORD !== undefined ? { password: config.SMS_HTTP_PASSWORD } : {}),
            ...(config.SMS_HTTP_TOKEN ? { bearerToken: config.SMS_HTTP_TOKEN } : {}),
            ...(config.SMS_HTTP_BODY_TEMPLATE !== undefined
              ? { bodyTemplate: config.SMS_HTTP_BODY_TEMPLATE }
              : {}),
            ...(config.SMS_HTTP_RESPONSE_ID_FIELD
              ? { responseIdField: config.SMS_HTTP_RESPONSE_ID_FIELD }
              : {}),
            ...(config.SMS_SENDER ? { sender: config.SMS_SENDER } : {}),
          })
        : createDevSmsGateway(db),
    contactRegister:
      config.CONTACT_REGISTER === 'http'
        ? createHttpContactRegister({
            baseUrl: config.CONTACT_REGISTER_URL!,
            bearerToken: config.CONTACT_REGISTER_TOKEN!,
          })
        : createDevContactRegister(db),
    mailbox:
      config.DIGITAL_MAILBOX === 'http'
        ? createHttpDigitalMailbox({
            baseUrl: config.DIGITAL_MAILBOX_URL!,
            bearerToken: config.DIGITAL_MAILBOX_TOKEN!,
          })
        : createDevDigitalMailbox(db),
    allowPrivateCallbackTargets: config.CALLBACK_ALLOW_PRIVATE_TARGETS,
  };
}
