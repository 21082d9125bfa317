#!/usr/bin/env bash
# Runs a command on the project's pinned Node.js: `scripts/with-node.sh CMD [ARGS...]`.
#
# Every npm script goes through it, so that `npm run dev` or `npm test` started by an older npm
# and node (a machine's Node 20) still runs tsx, vitest, tsc, and every node those start, on the
# Node that scripts/bootstrap.sh installed into .tools/node: it is put first on PATH, and tools
# that start `#!/usr/bin/env node` scripts or spawn process.execPath all find it. NODE and
# npm_node_execpath, which npm sets to the node it runs on, are pointed there too.
#
# Where there is no .tools/node (the image's build stage, which runs on its own Node 24), the node
# on PATH is used if it is 22 or newer; an older one stops here with the command that fixes it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/node/bin"
if [ -x "$bin/node" ]; then
  PATH="$bin:$PATH"
  NODE="$bin/node"
  npm_node_execpath="$bin/node"
  export PATH NODE npm_node_execpath
elif ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)' 2>/dev/null; then
  echo "with-node: no .tools/node, and the node on PATH ($(node --version 2>/dev/null || echo none)) is older than 22: run bash scripts/bootstrap.sh" >&2
  exit 1
fi
exec "$@"
