/**
 * The XML API's own listener (mutual TLS on XML_API_PORT), as `npm run api` and `npm run dev`
 * both start it: the TLS server certificate, the enterprise CAs clients and seals must chain to,
 * and the root URL clients are told. In production these come from the three PEM files; outside
 * production, when none of them is given, from the development enterprise PKI under PKI_DIR (the
 * one `npm run cli -- enterprise-certificates issue` issues sender certificates from), so any
 * development instance can have an XML API on any port.
 */
import { readFile } from 'node:fs/promises';
import type { Config } from '../src/config.js';
import { ConfigError } from '../src/config.js';
import { enterpriseCrls, loadOrCreateEnterprisePki } from '../src/signing/enterprise-pki.js';
import { certificatesFromPem } from '../src/signing/keys.js';
import { createApp } from './app.js';
import type { ApiDeps, XmlApiOptions } from './deps.js';
import { type HttpLimits, listen, type TlsOptions } from './http/server.js';

const TLS_FILES = ['XML_API_TLS_CERT_FILE', 'XML_API_TLS_KEY_FILE', 'XML_API_CLIENT_CA_FILE'] as const;

export interface XmlApiSetup {
  /** Where it listens: HOST and XML_API_PORT. */
  host: string;
  port: number;
  tls: TlsOptions;
  options: XmlApiOptions;
  /** Set when the development enterprise PKI serves (for `npm run dev` to print). */
  developmentPki?: { serviceOrg: string; caDirectory: string };
}

type XmlApiConfig = Pick<
  Config,
  'APP_ENV' | 'HOST' | 'PKI_DIR' | 'XML_API_PORT' | 'XML_API_PUBLIC_URL' | (typeof TLS_FILES)[number]
>;

/**
 * What the XML API listens with, or undefined when XML_API_PORT is 0. ConfigError when the PEM
 * files are missing in production, or only some of them are given anywhere.
 */
export async function xmlApiSetup(config: XmlApiConfig): Promise<XmlApiSetup | undefined> {
  const port = config.XML_API_PORT;
  if (port === 0) return undefined;
  const publicUrl =
    config.XML_API_PUBLIC_URL ??
    `https://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}/xml-api`;
  const missing = TLS_FILES.filter((name) => !config[name]);
  if (missing.length === 0) {
    const [cert, key, ca] = await Promise.all(TLS_FILES.map((name) => readFile(config[name]!, 'utf8')));
    return {
      host: config.HOST,
      port,
      tls: { cert: cert!, key: key!, ca: ca!, requestCert: true },
      options: { publicUrl, trustAnchors: certificatesFromPem(ca!) },
    };
  }
  if (config.APP_ENV === 'production' || missing.length < TLS_FILES.length) {
    const why = config.APP_ENV === 'production' ? 'in production' : 'with the other two';
    throw new ConfigError(
      missing.map((name) => `${name}: is required when XML_API_PORT is set ${why} (missing)`),
    );
  }
  const pki = await loadOrCreateEnterprisePki(`${config.PKI_DIR}/enterprise`);
  return {
    host: config.HOST,
    port,
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.caPem, requestCert: true },
    options: { publicUrl, trustAnchors: [pki.ca.certificate], revocation: enterpriseCrls(pki) },
    developmentPki: { serviceOrg: pki.serviceOrg, caDirectory: pki.caDirectory },
  };
}

/**
 * The API with the XML API mounted, listening over mutual TLS on its own port, with the
 * deployment's HTTP limits (behind the compose passthrough, TRUST_PROXY_HOPS set, every sender
 * arrives from the proxy's address, so the cap per address is the proxy's to hold).
 */
export function listenXmlApi(deps: ApiDeps, setup: XmlApiSetup, limits?: HttpLimits) {
  return listen(
    createApp({
      ...deps,
      // Reached directly or through a TCP passthrough (the compose proxy's stream block): no
      // proxy on the way writes X-Forwarded-For, so one arriving here is the client's own claim.
      config: { ...deps.config, TRUST_PROXY_HOPS: 0 },
      xmlApi: setup.options,
    }),
    setup.host,
    setup.port,
    setup.tls,
    limits,
  );
}
