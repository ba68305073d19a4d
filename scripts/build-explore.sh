#!/usr/bin/env bash
# Build the graph explorer served at /explore (sigma, graphology, ForceAtlas2 and our own
# source in scripts/explore/src) into api/assets/explore/, so the service can serve it
# offline: one minified script, one stylesheet, and the licences of what the script bundles.
#
# Versions are pinned in scripts/explore/package.json and package-lock.json. To upgrade:
# edit package.json, run `npm install --package-lock-only` in scripts/explore, then re-run
# this script. Running it twice yields identical files.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg_dir="$root/scripts/explore"
out_dir="$root/api/assets/explore"
nm="$pkg_dir/node_modules"

echo "Installing pinned packages from $pkg_dir/package-lock.json"
(cd "$pkg_dir" && npm ci --ignore-scripts --no-audit --no-fund)

version() {
  node -p "require('$nm/$1/package.json').version"
}

mkdir -p "$out_dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# esbuild's own package ships a JavaScript launcher; with --ignore-scripts it finds the
# platform binary from its optional dependency (@esbuild/<platform>).
esbuild="$nm/.bin/esbuild"
common=(--bundle --minify --target=es2020 --legal-comments=none --charset=utf8 --log-level=warning)

echo "Bundling scripts/explore/src into api/assets/explore/"
"$esbuild" "$pkg_dir/src/main.js" "${common[@]}" --format=iife \
  --metafile="$tmp/meta.json" --outfile="$tmp/explore.min.js"
"$esbuild" "$pkg_dir/src/explore.css" "${common[@]}" --outfile="$tmp/explore.min.css"

# The packages whose code ends up in the bundle, from esbuild's metafile: every input under
# node_modules/, named by its package (scoped or not), with the version installed.
node - "$tmp/meta.json" "$nm" >"$tmp/packages.tsv" <<'EOF'
const fs = require('fs');
const path = require('path');
const [meta, nm] = process.argv.slice(2);
const { outputs } = JSON.parse(fs.readFileSync(meta, 'utf8'));
const names = new Set();
for (const output of Object.values(outputs)) {
  for (const input of Object.keys(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) names.add(match[1]);
  }
}
for (const name of [...names].sort()) {
  const pkg = JSON.parse(fs.readFileSync(path.join(nm, name, 'package.json'), 'utf8'));
  process.stdout.write(`${name}\t${pkg.version}\t${pkg.license}\n`);
}
EOF

# The page must work offline: no URL to another site in what the page loads. The only
# http(s) URL allowed in the script is the SVG namespace, which is a name, not a request.
if grep -Eo "https?://[^\"'\` )]*" "$tmp/explore.min.js" | grep -Ev '^http://www\.w3\.org/2000/svg$' >/dev/null; then
  echo "error: explore.min.js references an outside URL:" >&2
  grep -Eo "https?://[^\"'\` )]*" "$tmp/explore.min.js" | grep -Ev '^http://www\.w3\.org/2000/svg$' | sort -u >&2
  exit 1
fi
# The stylesheet may embed data: URLs only.
if grep -Eo '@import|url\([^)]*\)' "$tmp/explore.min.css" | grep -Ev "^url\(['\"]?data:" >/dev/null; then
  echo "error: explore.min.css references an external resource:" >&2
  grep -Eo '@import[^;]*|url\([^)]*\)' "$tmp/explore.min.css" | grep -Ev "^url\(['\"]?data:" >&2
  exit 1
fi

copy() {
  install -m 0644 "$1" "$out_dir/$2"
  echo "  wrote api/assets/explore/$2 ($(wc -c <"$out_dir/$2") bytes)"
}

echo "Copying the bundle and licences into api/assets/explore/"
copy "$tmp/explore.min.js" explore.min.js
copy "$tmp/explore.min.css" explore.min.css
rm -f "$out_dir"/LICENSE.*
rows=""
while IFS=$'\t' read -r name pkg_version licence; do
  case "$licence" in
    MIT | ISC | BSD-2-Clause | BSD-3-Clause | Apache-2.0) ;;
    *)
      echo "error: $name $pkg_version is licensed $licence, which the explorer may not bundle" >&2
      exit 1
      ;;
  esac
  file="$(find "$nm/$name" -maxdepth 1 -type f -iname 'licen[cs]e*' | sort | head -n 1)"
  if [ -z "$file" ]; then
    echo "error: $name has no LICENSE file to copy" >&2
    exit 1
  fi
  # @sigma/node-square -> LICENSE.sigma-node-square
  copy "$file" "LICENSE.$(echo "$name" | sed 's/^@//; s#/#-#')"
  rows+="| \`LICENSE.$(echo "$name" | sed 's/^@//; s#/#-#')\` | $name | $pkg_version | $licence |"$'\n'
done <"$tmp/packages.tsv"

cat >"$out_dir/README.md" <<EOF
# The graph explorer's assets

\`explore.min.js\` and \`explore.min.css\` are built by \`scripts/build-explore.sh\` from the
source in \`scripts/explore/src/\` and the packages pinned in
\`scripts/explore/package-lock.json\` (bundled with esbuild $(version esbuild): IIFE, minified,
ES2020). Do not edit them by hand; change the source or the pinned versions and re-run the
script instead.

| File | Package | Version | Licence |
| --- | --- | --- | --- |
| \`explore.min.js\` | the explorer (\`scripts/explore/src/*.js\`) with the packages below | | |
| \`explore.min.css\` | the explorer (\`scripts/explore/src/explore.css\`) | | |
${rows}
The licence files are copied unchanged from each package bundled into \`explore.min.js\`
(found from esbuild's metafile).

\`index.html\` is a hand-written page that loads \`/explore/explore.min.css\` and
\`/explore/explore.min.js\` and sends queries to \`/graphql\`; it is not generated. The
ForceAtlas2 layout runs in a web worker that the library starts from a \`blob:\` URL of code
inside \`explore.min.js\`: no other file is fetched.

## What the page keeps in its URL

| Parameter | Meaning |
| --- | --- |
| \`nodes\` | the nodes placed on the canvas, as comma-separated global IDs |
| \`expanded\` | the nodes whose neighbours are drawn |
| \`hidden\` | nodes removed by the person, kept off the canvas even when reached |
| \`selected\` | the selected node or relationship |
| \`asOf\` | the year shown (absent: all time) |
| \`predicates\`, \`kinds\` | the expansion filters (absent: all) |
| \`limit\` | the most nodes one expansion draws (absent: 100) |
| \`from\`, \`to\`, \`hops\` | the shortest path shown (hops absent: 4) |

## Test hooks

\`window.govgraphExplorer\` has \`ready\` (true once the page has started and drawn the view in
its URL), \`pending()\` (GraphQL requests in flight, plus one while the picture is being
rebuilt or a typed search waits to run) and \`state()\`:
\`{ nodes: [{id, kind, name}], edges: [{id, predicate, source, target, role, validFrom,
validTo}], selected, asOf, panel: {open, text}, lastError }\`, read from the graph that is
drawn. The time slider \`#as-of\` is a range input whose right end (its \`max\`) means all
time: there its value reads "", and setting its value to "" moves it there; \`state().asOf\`
is then null. Any other value is a year, e.g. "2020".

GraphiQL's toolbar button "Draw in explorer" (\`#draw-in-explorer\`) opens
\`/explore?nodes=ID,...\` with the node IDs of the last answer.
EOF
echo "  wrote api/assets/explore/README.md"
echo "Done: $(cut -f1,2 "$tmp/packages.tsv" | tr '\t' ' ' | paste -sd, - | sed 's/,/, /g')"
