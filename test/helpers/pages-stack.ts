/**
 * The real stack for the browser suites: `startStack` serves the API and the pages together
 * (PUBLIC_URL points at it, so redirect URLs and notice links lead to the pages), with the test
 * eID and the same signing material as the worker.
 */
import type { PageDeps } from '../../api/pages/index.js';
import { type Stack, type StackOptions, startStack } from './stack.js';

export interface PagesStack {
  stack: Stack;
  /** Where the pages (and the API beside them) are served. */
  baseUrl: string;
  pageDeps: PageDeps;
  /** fetch against the pages' server with the sender's API key. */
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startPagesStack(options: Pick<StackOptions, 'cscProviders'> = {}): Promise<PagesStack> {
  const stack = await startStack(options);
  return { stack, baseUrl: stack.baseUrl, pageDeps: stack.apiDeps, api: stack.api, stop: stack.stop };
}
