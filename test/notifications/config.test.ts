/** Choosing development or production implementations from the environment. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { loadNotificationConfig } from '../../src/notifications/config.js';

describe('loadNotificationConfig', () => {
  it('defaults to the development stand-ins and loopback callbacks outside production', () => {
    const c = loadNotificationConfig({ APP_ENV: 'development' });
    expect(c).toMatchObject({
      SMS_GATEWAY: 'dev',
      CONTACT_REGISTER: 'dev',
      DIGITAL_MAILBOX: 'dev',
      CALLBACK_ALLOW_PRIVATE_TARGETS: 'loopback',
    });
  });

  it('requires an explicit choice in production and refuses private callback targets by default', () => {
    expect(() => loadNotificationConfig({ APP_ENV: 'production' })).toThrow(ConfigError);
    const c = loadNotificationConfig({
      APP_ENV: 'production',
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: 'https://sms.example.com/send',
      SMS_HTTP_BODY_TEMPLATE: '{"msisdn":"{{to}}","message":"{{text}}"}',
      CONTACT_REGISTER: 'http',
      CONTACT_REGISTER_URL: 'https://krr.example.com',
      CONTACT_REGISTER_TOKEN: 'token',
      DIGITAL_MAILBOX: 'dev',
    });
    expect(c.CALLBACK_ALLOW_PRIVATE_TARGETS).toBe('none');
    expect(c.SMS_HTTP_BODY_TEMPLATE).toEqual({ msisdn: '{{to}}', message: '{{text}}' });
  });

  it('names a bad or missing variable without echoing its value', () => {
    try {
      loadNotificationConfig({ APP_ENV: 'test', SMS_GATEWAY: 'http', SMS_HTTP_BODY_TEMPLATE: '{secret' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['SMS_HTTP_BODY_TEMPLATE: must be JSON']);
      expect((err as ConfigError).message).not.toContain('{secret');
    }
    expect(() => loadNotificationConfig({ APP_ENV: 'test', CONTACT_REGISTER: 'http' })).toThrow(
      /CONTACT_REGISTER_URL/,
    );
  });
});
