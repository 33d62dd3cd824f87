#!/usr/bin/env bash
# SSE parse throughput (MB/s, events/s) on 100 MB of Enhanced Messaging traffic, beside a plain
# memchr newline scan of the same buffer. Goal: >= 1 GB/s and >= 0.3 of the scan.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp)
taskset -c 0 swift package --allow-writing-to-package-directory benchmark --target SSEBenchmarks --no-progress | tee "$out"
# p50 wall clock (ms per 100 MB pass) of each benchmark.
p50() { awk -v name="$1" 'index($0, name) {found=1} found && /wall clock/ {gsub(/│/, " "); print $8, $4; exit}' "$out"; }
parse=$(p50 "SSE parse, borrowed")
owned=$(p50 "SSE parse, owned")
scan=$(p50 "Newline scan")
events=$(awk '/events per pass/ {print $(NF-3)}' "$out" | head -1)
bytes=$(awk '/events per pass/ {print $3}' "$out" | head -1)
rm -f "$out"
python3 - "$parse" "$scan" "$events" "$bytes" "$owned" <<'PY'
import sys
def ms(figure):
    value, unit = figure.split()
    scale = {"(ms)": 1.0, "(μs)": 1e-3, "(ns)": 1e-6, "(s)": 1000.0}
    return float(value) * next((v for k, v in scale.items() if k in unit), 1.0)
parse_ms, scan_ms = ms(sys.argv[1]), ms(sys.argv[2])
events, size = int(sys.argv[3] or 0), int(sys.argv[4] or 0)
mb = size / 1e6
owned_ms = ms(sys.argv[5])
print(f"SSE parse, borrowed events: {mb / (parse_ms / 1000):.0f} MB/s, {events / (parse_ms / 1000) / 1e6:.2f} M events/s ({parse_ms:.1f} ms per pass)")
print(f"SSE parse, owned events:    {mb / (owned_ms / 1000):.0f} MB/s, {events / (owned_ms / 1000) / 1e6:.2f} M events/s ({owned_ms:.1f} ms per pass)")
print(f"memchr scan: {mb / (scan_ms / 1000):.0f} MB/s ({scan_ms:.1f} ms per pass)")
print(f"ratio parse/scan: {scan_ms / parse_ms:.2f} borrowed, {scan_ms / owned_ms:.2f} owned; goal >= 1000 MB/s and >= 0.3")
PY
