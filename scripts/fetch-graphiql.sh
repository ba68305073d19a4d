#!/usr/bin/env bash
# Vendor the GraphiQL front-end (GraphiQL UMD bundle + React 18 UMD builds)
# into api/assets/graphiql/ so the service can serve GraphiQL offline.
#
# Versions are pinned in scripts/graphiql/package.json and package-lock.json.
# To upgrade: edit package.json, run `npm install --package-lock-only` in
# scripts/graphiql, then re-run this script.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg_dir="$root/scripts/graphiql"
out_dir="$root/api/assets/graphiql"
nm="$pkg_dir/node_modules"

echo "Installing pinned packages from $pkg_dir/package-lock.json"
(cd "$pkg_dir" && npm ci --ignore-scripts --no-audit --no-fund)

version() {
  node -p "require('$nm/$1/package.json').version"
}
react_version="$(version react)"
react_dom_version="$(version react-dom)"
graphiql_version="$(version graphiql)"

mkdir -p "$out_dir"

copy() {
  install -m 0644 "$1" "$out_dir/$2"
  echo "  wrote api/assets/graphiql/$2 ($(wc -c <"$out_dir/$2") bytes)"
}

echo "Copying assets into api/assets/graphiql/"
copy "$nm/react/umd/react.production.min.js" react.production.min.js
copy "$nm/react-dom/umd/react-dom.production.min.js" react-dom.production.min.js
copy "$nm/graphiql/graphiql.min.js" graphiql.min.js
copy "$nm/graphiql/graphiql.min.css" graphiql.min.css
copy "$nm/react/LICENSE" LICENSE.react
copy "$nm/react-dom/LICENSE" LICENSE.react-dom
copy "$nm/graphiql/LICENSE" LICENSE.graphiql

# The page must work offline: the stylesheet may only embed data: URLs.
if grep -Eo '@import|url\([^)]*\)' "$out_dir/graphiql.min.css" \
  | grep -Ev "^url\(['\"]?data:" >/dev/null; then
  echo "error: graphiql.min.css references an external resource:" >&2
  grep -Eo '@import[^;]*|url\([^)]*\)' "$out_dir/graphiql.min.css" \
    | grep -Ev "^url\(['\"]?data:" >&2
  exit 1
fi

cat >"$out_dir/README.md" <<EOF
# Vendored GraphiQL assets

These files are produced by \`scripts/fetch-graphiql.sh\` from the pinned
\`scripts/graphiql/package-lock.json\`. Do not edit them by hand; change the
pinned versions and re-run the script instead.

| File | Package | Version | Source path in package |
| --- | --- | --- | --- |
| \`react.production.min.js\` | react | $react_version | \`umd/react.production.min.js\` |
| \`react-dom.production.min.js\` | react-dom | $react_dom_version | \`umd/react-dom.production.min.js\` |
| \`graphiql.min.js\` | graphiql | $graphiql_version | \`graphiql.min.js\` (UMD, uses global \`React\`/\`ReactDOM\`) |
| \`graphiql.min.css\` | graphiql | $graphiql_version | \`graphiql.min.css\` |

Licences: \`LICENSE.react\`, \`LICENSE.react-dom\` and \`LICENSE.graphiql\` are
copied unchanged from each package (all MIT).

\`index.html\` is a hand-written page that loads the files above from
\`/graphiql/\` and sends queries to \`/graphql\`; it is not generated.
EOF
echo "  wrote api/assets/graphiql/README.md"
echo "Done: react $react_version, react-dom $react_dom_version, graphiql $graphiql_version"
