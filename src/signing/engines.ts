/**
 * One place that wires the crypto and XML libraries to Node's own implementations. Every module of
 * the signing package imports this first, so callers never have to remember a set-up step.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as x509 from '@peculiar/x509';
import { DOMImplementation, DOMParser, XMLSerializer } from '@xmldom/xmldom';
import * as pkijs from 'pkijs';
import * as xadesjs from 'xadesjs';
import xpath from 'xpath';

export const crypto = webcrypto as unknown as Crypto;

x509.cryptoProvider.set(crypto);
pkijs.setEngine('nodejs', new pkijs.CryptoEngine({ name: 'nodejs', crypto }));
xadesjs.Application.setEngine('NodeJS', crypto);

const xmlDependencies = { DOMParser, XMLSerializer, DOMImplementation, xpath };
xadesjs.setNodeDependencies(xmlDependencies);

/**
 * xmldsigjs carries its own nested copy of xml-core (npm did not hoist it) and does not re-export
 * its setter, so the copy xadesjs sets up above is not the one xmldsigjs reads. Load that nested
 * copy's ES module build (the one xmldsigjs's own ESM build imports) and register the same
 * dependencies there. When npm one day hoists a single copy, this resolves to the same module.
 */
async function registerWithNestedXmlCore(): Promise<void> {
  const require = createRequire(import.meta.url);
  const xmldsigEntry = require.resolve('xmldsigjs');
  const xmlCoreCjs = createRequire(xmldsigEntry).resolve('xml-core');
  const xmlCoreEsm = xmlCoreCjs.replace(/[\\/]cjs[\\/]/, '/esm/');
  for (const file of new Set([xmlCoreEsm, xmlCoreCjs])) {
    const mod = (await import(pathToFileURL(file).href)) as {
      setNodeDependencies?: (deps: Record<string, unknown>) => void;
    };
    mod.setNodeDependencies?.(xmlDependencies);
  }
}

await registerWithNestedXmlCore();
