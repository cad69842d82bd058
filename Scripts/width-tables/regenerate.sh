#!/usr/bin/env bash
# Regenerates Sources/TerminalCore/DisplayWidthTables.swift from this machine's glibc wcwidth
# (C.UTF-8), so our widths agree with ncurses and tmux. Run from anywhere; needs cc and python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/dump" "$here/dump.c"
(cd "$work" && LC_ALL=C.UTF-8 ./dump > ranges.txt && python3 "$here/gen.py" > tables.swift)
cp "$work/tables.swift" "$here/../../Sources/TerminalCore/DisplayWidthTables.swift"
echo "wrote Sources/TerminalCore/DisplayWidthTables.swift"
