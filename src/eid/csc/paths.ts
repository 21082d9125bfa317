/**
 * Where remote signing services send the person back after approving (the OAuth redirect URI to
 * register with each provider: PUBLIC_URL + this path), under the signing pages.
 */
export const REMOTE_SIGNING_CALLBACK_PATH = '/sign/remote-signing/callback';
