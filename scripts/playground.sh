#!/usr/bin/env bash
# Refreshes the explorer's vendored files (internal/app/playground/dist)
# from the npm registry at the pinned versions below: GraphiQL's released
# UMD bundle and stylesheet, and the React UMD builds it runs on. No
# bundler: these are the packages' own released artifacts, copied byte for
# byte. Each tarball is checked against its pinned npm integrity (sha512),
# so a refresh at the same versions reproduces the same files; dist/VERSIONS
# records versions and SHA-256 sums, which a test checks the embedded files
# against.
#
# To move to another version: change the version, run with UPDATE=1 (prints
# and accepts the new integrity), put the printed integrity here, run again.
set -euo pipefail
cd "$(dirname "$0")/.."

GRAPHIQL=4.1.2
GRAPHIQL_INTEGRITY=sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg==
REACT=18.2.0
REACT_INTEGRITY=sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==
REACT_DOM_INTEGRITY=sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==

out=internal/app/playground/dist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch NAME@VERSION INTEGRITY: npm pack into $tmp/NAME, checking integrity.
fetch() {
  local spec=$1 want=$2 name=${1%@*}
  local got
  got=$(cd "$tmp" && npm pack --json --silent "$spec" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s)[0];console.log(p.filename+" "+p.integrity)})')
  local file=${got%% *} integrity=${got#* }
  if [ "$integrity" != "$want" ]; then
    if [ "${UPDATE:-}" = 1 ]; then
      echo "$spec integrity: $integrity (put it in $0)"
    else
      echo "$spec: integrity $integrity, pinned $want" >&2; exit 1
    fi
  fi
  mkdir -p "$tmp/$name"
  tar -xzf "$tmp/$file" -C "$tmp/$name" --strip-components=1
}

fetch "graphiql@$GRAPHIQL" "$GRAPHIQL_INTEGRITY"
fetch "react@$REACT" "$REACT_INTEGRITY"
fetch "react-dom@$REACT" "$REACT_DOM_INTEGRITY"

rm -rf "$out"
mkdir -p "$out"
cp "$tmp/graphiql/graphiql.min.js" "$tmp/graphiql/graphiql.min.css" "$out/"
cp "$tmp/react/umd/react.production.min.js" "$out/"
cp "$tmp/react-dom/umd/react-dom.production.min.js" "$out/"
cp "$tmp/graphiql/LICENSE" "$out/LICENSE.graphiql"
cp "$tmp/react/LICENSE" "$out/LICENSE.react"
cp "$tmp/react-dom/LICENSE" "$out/LICENSE.react-dom"

{
  echo "# Written by scripts/playground.sh; do not edit. name version, then file sha256."
  echo "graphiql $GRAPHIQL"
  echo "react $REACT"
  echo "react-dom $REACT"
  (cd "$out" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js)
} > "$out/VERSIONS"
du -b "$out"/* | sort -k2
