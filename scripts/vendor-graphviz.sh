#!/usr/bin/env bash
# For maintainers: refresh the WebAssembly Graphviz that the graph widget's front end ships with.
# Students never run this (they need no Node.js): the built file is committed in
# backprop_widgets/static/vendor/. Needs npm; run from the repository's root:
#     scripts/vendor-graphviz.sh            # the pinned version below
#     scripts/vendor-graphviz.sh 1.30.0     # another version (then update VERSION here)
set -euo pipefail
VERSION="${1:-1.29.2}"
PACKAGE="@hpcc-js/wasm-graphviz"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null && tar xzf ./*.tgz)
vendor="backprop_widgets/static/vendor"
cp "$work/package/dist/index.js" "$vendor/graphviz.js"
cp "$work/package/LICENSE" "$vendor/graphviz.LICENSE"
echo "$PACKAGE $VERSION" > "$vendor/graphviz.VERSION"
echo "vendored $PACKAGE $VERSION: $(wc -c < "$vendor/graphviz.js") bytes"
