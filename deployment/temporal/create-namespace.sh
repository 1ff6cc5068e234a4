#!/bin/sh
# Waits until the Temporal server is healthy, creates the namespace if it is missing (with its retention),
# waits until the frontend serves it, then registers the search attributes the workflows set and
# `client.ts list` filters on (the names of SEARCH_ATTRIBUTE_KEYS in temporal/workflows/search-attributes.ts,
# all Keyword). One script, two callers: Docker Compose's temporal-create-namespace step (in the
# admin-tools image) and `npm run temporal:postgres`.
#
# Reads: TEMPORAL_ADDRESS, NAMESPACE, RETENTION (such as 72h), SEARCH_ATTRIBUTES (space-separated), and
# TEMPORAL_CLI (default: temporal on PATH).
set -eu
cli="${TEMPORAL_CLI:-temporal}"
addr="$TEMPORAL_ADDRESS"
retry() { # runs "$@" every 2 s until it succeeds, for 2 minutes at most
  tries=1
  until out=$("$@" 2>&1); do
    if [ "$tries" -ge 60 ]; then printf 'Gave up after 2 minutes: %s\n%s\n' "$*" "$out" >&2; exit 1; fi
    tries=$((tries + 1))
    sleep 2
  done
}
retry "$cli" operator cluster health --address "$addr"
# "already exists" is success: another run of this step may have created it between the two calls.
if ! "$cli" operator namespace describe -n "$NAMESPACE" --address "$addr" >/dev/null 2>&1; then
  if ! out=$("$cli" operator namespace create -n "$NAMESPACE" --retention "$RETENTION" --address "$addr" 2>&1); then
    case "$out" in
      *"already exists"*|*"AlreadyExists"*) ;;
      *) printf 'Could not create namespace %s:\n%s\n' "$NAMESPACE" "$out" >&2; exit 1 ;;
    esac
  fi
fi
retry "$cli" workflow list -n "$NAMESPACE" --limit 1 --address "$addr"
# Safe to re-run: the CLI skips an attribute that exists with the same type, and an "already exists"
# refusal (an older CLI or server) is success too; one registered with another type fails this step,
# since the workflows could not set it.
for name in $SEARCH_ATTRIBUTES; do
  if ! out=$("$cli" operator search-attribute create -n "$NAMESPACE" --address "$addr" --name "$name" --type Keyword 2>&1); then
    case "$out" in
      *"different type"*) printf 'Search attribute %s exists with another type:\n%s\n' "$name" "$out" >&2; exit 1 ;;
      *"already exists"*) ;;
      *) printf 'Could not register search attribute %s:\n%s\n' "$name" "$out" >&2; exit 1 ;;
    esac
  fi
done
echo "Namespace $NAMESPACE is ready at $addr (retention $RETENTION), with search attributes $SEARCH_ATTRIBUTES"
