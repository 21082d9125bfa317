#!/bin/sh
# One-shot (docker-compose.yml, service temporal-setup; image temporalio/admin-tools): once the
# server is healthy, creates the namespace the service uses if it is missing and registers the
# custom search attributes its workflows set (src/job/search-attributes.ts) that are missing, and
# ends once they can be used. Safe to run on every `docker compose up` (and `npm run cluster`).
#
# Environment: TEMPORAL_ADDRESS, NAMESPACE, NAMESPACE_RETENTION (e.g. 720h),
# SEARCH_ATTRIBUTES (whitespace-separated Name=Type, e.g. "SenderOrganization=Keyword").
set -eu

: "${TEMPORAL_ADDRESS:?}" "${NAMESPACE:?}" "${NAMESPACE_RETENTION:?}" "${SEARCH_ATTRIBUTES:?}"
SLEEP="${SETUP_RETRY_SECONDS:-2}"

t() {
  temporal "$@" --address "$TEMPORAL_ADDRESS"
}

# retry <what> <command...>: the server may still be warming up (membership, namespace cache).
retry() {
  what=$1
  shift
  n=0
  until "$@"; do
    n=$((n + 1))
    if [ "$n" -ge 30 ]; then
      echo "setup-namespace: gave up: $what" >&2
      exit 1
    fi
    sleep "$SLEEP"
  done
}

retry "cluster health at $TEMPORAL_ADDRESS" t operator cluster health

if t operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "setup-namespace: namespace $NAMESPACE exists"
else
  echo "setup-namespace: creating namespace $NAMESPACE (retention $NAMESPACE_RETENTION)"
  t operator namespace create --namespace "$NAMESPACE" --retention "$NAMESPACE_RETENTION"
fi

# A namespace just created is not yet in every server's cache: wait until it answers.
retry "search attributes of $NAMESPACE" t operator search-attribute list --namespace "$NAMESPACE" >/dev/null
registered=$(t operator search-attribute list --namespace "$NAMESPACE")

for pair in $SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  type=${pair#*=}
  if printf '%s\n' "$registered" | grep -qw -- "$name"; then
    echo "setup-namespace: search attribute $name is registered"
  else
    echo "setup-namespace: registering search attribute $name ($type)"
    t operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
  fi
done

# A search attribute just created is usable only a moment later (1-2 s on SQL visibility), once
# every server has reloaded the namespace's mapping; a workflow started before then is refused.
# So the job ends only when a listing filtered by each of them is accepted.
for pair in $SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  retry "search attribute $name to be usable" \
    t workflow list --namespace "$NAMESPACE" --query "$name = 'setup-probe'" --limit 1 >/dev/null
done
echo "setup-namespace: done"
