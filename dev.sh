#!/usr/bin/env bash
# The two commands of the README, and what CI runs.
#   ./dev.sh run          install (once) and build the ledger over corpus/, write the 任务分工表
#   ./dev.sh test [ARGS]  install (once) and run the whole test suite (ARGS go to pytest)
#   ./dev.sh quick [ARGS] the edit loop: no slow, real-model or browser tests (what `pytest` alone runs)
# Idempotent: the virtualenv in .venv is reused until pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY=$VENV/bin/python
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"

# This machine keeps the CPU build of torch in /opt/wheels; PyPI's default is a CUDA build.
find_links=()
[ -d /opt/wheels ] && find_links=(--find-links /opt/wheels)

install() {
    [ -x "$PY" ] || python3 -m venv "$VENV"
    if [ ! -f "$stamp" ]; then
        echo "taizhang: installing into $VENV (first run only; a few minutes; log: $VENV/install.log)" >&2
        if ! {
            "$PY" -m pip install "${find_links[@]}" --upgrade pip &&
            "$PY" -m pip install "${find_links[@]}" torch==2.13.0 &&
            "$PY" -m pip install "${find_links[@]}" -e '.[test]'
        } >"$VENV/install.log" 2>&1; then
            tail -30 "$VENV/install.log" >&2
            echo "taizhang: install failed; full log in $VENV/install.log" >&2
            exit 1
        fi
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}

install_browser() {
    # Browser tests drive Debian's Chromium; Playwright's own browser download is not reachable.
    # The page is Chinese: without a CJK font every label renders as a box (a browser test
    # fails then), so fonts-noto-cjk comes with Chromium.
    local packages=()
    [ -x /usr/bin/chromium ] || packages+=(chromium chromium-driver)
    [ -d /usr/share/fonts/opentype/noto ] && fc-list :lang=zh 2>/dev/null | grep -q . || packages+=(fonts-noto-cjk)
    if [ "${#packages[@]}" -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "taizhang: installing ${packages[*]} for the browser tests" >&2
            apt-get update -qq >/dev/null && apt-get install -y -qq "${packages[@]}" >/dev/null
        else
            echo "taizhang: ${packages[*]} missing and not root: browser tests may be skipped or fail" >&2
        fi
    fi
}

install_office() {
    # The printed-workbook test has LibreOffice convert the 任务分工表 to PDF. Carlito gives it
    # Calibri's metrics, the unit Excel and WPS measure column widths in (LibreOffice's own
    # install recommends it); without it every column comes out a third wider.
    if command -v soffice >/dev/null && fc-match Calibri 2>/dev/null | grep -qi carlito; then
        return
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "taizhang: installing LibreOffice Calc (headless) and Carlito for the printed-workbook test" >&2
        apt-get update -qq >/dev/null &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                libreoffice-calc-nogui fonts-crosextra-carlito >/dev/null ||
            echo "taizhang: LibreOffice could not be installed: the printed-workbook test will be skipped" >&2
    else
        echo "taizhang: LibreOffice (soffice) or Carlito missing and not root: the printed-workbook test will be skipped" >&2
    fi
}

# Models come from installed packages only: never from a hub.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1

cmd="${1:-}"
shift || true
case "$cmd" in
    run)
        install
        exec "$VENV/bin/taizhang" build --export "$@"
        ;;
    test)
        install
        install_browser
        install_office
        exec "$PY" -m pytest -m "" "$@"
        ;;
    quick)
        install
        exec "$PY" -m pytest -x -q "$@"
        ;;
    *)
        echo "usage: ./dev.sh run | test [pytest args] | quick [pytest args]" >&2
        exit 2
        ;;
esac
