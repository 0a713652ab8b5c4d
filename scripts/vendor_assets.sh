#!/usr/bin/env bash
# Vendor the dashboard's and the API docs' front-end files from the npm registry, so the web
# interface works offline (no CDN). Run from the repository root; needs `npm` and `python3`.
# What it produced is committed under coupwatch/web/static/vendor/ and
# coupwatch/api/static/swagger/; re-run only to upgrade a version below.
set -euo pipefail

D3=7.9.0
TOPOJSON_CLIENT=3.1.0
WORLD_ATLAS=2.0.2
SWAGGER_UI_DIST=5.17.14

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/coupwatch/web/static/vendor"
SWAGGER="$ROOT/coupwatch/api/static/swagger"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$VENDOR" "$SWAGGER"

unpack() {  # unpack NAME VERSION -> $WORK/NAME/package
    (cd "$WORK" && npm pack --silent "$1@$2" >/dev/null)
    mkdir -p "$WORK/$1"
    tar -xzf "$WORK/$1-$2.tgz" -C "$WORK/$1"
}

unpack d3 "$D3"
cp "$WORK/d3/package/dist/d3.min.js" "$VENDOR/d3.min.js"
cp "$WORK/d3/package/LICENSE" "$VENDOR/LICENSE.d3.txt"

unpack topojson-client "$TOPOJSON_CLIENT"
cp "$WORK/topojson-client/package/dist/topojson-client.min.js" "$VENDOR/topojson-client.min.js"
cp "$WORK/topojson-client/package/LICENSE" "$VENDOR/LICENSE.topojson-client.txt"

unpack world-atlas "$WORLD_ATLAS"
cp "$WORK/world-atlas/package/countries-110m.json" "$VENDOR/countries-110m.json"
cp "$WORK/world-atlas/package/LICENSE" "$VENDOR/LICENSE.world-atlas.txt"

# Swagger UI for /docs. Its bundle is ~1.4 MB, so it is stored gzipped (served with
# Content-Encoding: gzip) to keep every committed file under 1 MB.
unpack swagger-ui-dist "$SWAGGER_UI_DIST"
gzip -9 -n -c "$WORK/swagger-ui-dist/package/swagger-ui-bundle.js" > "$SWAGGER/swagger-ui-bundle.js.gz"
cp "$WORK/swagger-ui-dist/package/swagger-ui.css" "$SWAGGER/swagger-ui.css"
cp "$WORK/swagger-ui-dist/package/favicon-32x32.png" "$SWAGGER/favicon-32x32.png"
cp "$WORK/swagger-ui-dist/package/LICENSE" "$SWAGGER/LICENSE.swagger-ui.txt"

cat > "$VENDOR/VERSIONS.txt" <<VERSIONS
d3 $D3 (ISC) dist/d3.min.js
topojson-client $TOPOJSON_CLIENT (ISC) dist/topojson-client.min.js
world-atlas $WORLD_ATLAS (ISC; geometry from Natural Earth, public domain) countries-110m.json
VERSIONS
echo "swagger-ui-dist $SWAGGER_UI_DIST (Apache-2.0)" > "$SWAGGER/VERSIONS.txt"
ls -l "$VENDOR" "$SWAGGER"
