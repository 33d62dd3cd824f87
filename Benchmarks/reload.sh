#!/usr/bin/env bash
# How long a live reload takes, end to end (`switchboard reload`: find the host, SIGHUP, the host
# re-reads and validates connectors.yaml, applies it, answers), on the shipped connectors.yaml and
# its built-in sandbox org: with nothing changed, and with one setting of acme-salesforce changed
# back and forth (the connector stops gracefully and starts again; acme-dynamics is untouched).
# Needs hyperfine (apt-get install hyperfine). Usage: bash Benchmarks/reload.sh [--debug]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
configuration=release
[ "${1:-}" = "--debug" ] && configuration=debug
(cd "$root" && swift build -c "$configuration" --product switchboard >/dev/null)
sb="$root/.build/$configuration/switchboard"
work=$(mktemp -d)
trap 'kill "$host" 2>/dev/null; wait "$host" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s/127.0.0.1:8710/127.0.0.1:$port/" "$root/connectors.yaml" > "$work/a.yaml"
sed 's/schedule: 15m/schedule: 16m/' "$work/a.yaml" > "$work/b.yaml"
cp "$work/a.yaml" "$work/connectors.yaml"
cd "$work"
"$sb" run > host.log 2>&1 &
host=$!
until grep -q "API listening" host.log; do sleep 0.2; done
until "$sb" reload >/dev/null 2>&1; do sleep 0.2; done
hyperfine --warmup 2 --runs 30 -N --command-name "reload, nothing changed" "$sb reload"
hyperfine --warmup 2 --runs 20 --command-name "reload, acme-salesforce restarted (twice: a → b → a)" \
  "cp b.yaml connectors.yaml && $sb reload && cp a.yaml connectors.yaml && $sb reload"
echo "reloads logged: $(grep -c 'configuration reloaded' host.log), refused: $(grep -c 'reload refused' host.log || true)"
# The host's own part (read, validate, diff, apply), from its log lines.
python3 - host.log <<'PY'
import re, statistics, sys
text = open(sys.argv[1]).read()
for label, pattern in (("nothing changed", r'restarted="" .*took_ms=([0-9.]+)'), ("acme-salesforce restarted", r'restarted="acme-salesforce[^"]*" .*took_ms=([0-9.]+)')):
    values = sorted(float(v) for v in re.findall(pattern, text))
    if values:
        print(f"host's part, {label}: median {statistics.median(values):.1f} ms, p90 {values[int(len(values) * 0.9) - 1]:.1f} ms ({len(values)} reloads)")
PY
