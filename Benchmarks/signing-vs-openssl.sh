#!/usr/bin/env bash
# RS256 signs/s and verifies/s of Switchboard's signer beside `openssl speed rsa2048`, same machine, same run.
# Usage: bash Benchmarks/signing-vs-openssl.sh      (release build of the benchmark on first run: several minutes)
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp)
# One core for both, so the comparison is like for like.
taskset -c 0 swift package --allow-writing-to-package-directory benchmark --target SigningBenchmarks --no-progress | tee "$out"
speed=$(taskset -c 0 openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6, $7}')
openssl_sign=${speed% *}
openssl_verify=${speed#* }
# p50 throughput (# / s) of each benchmark, from the row after its name: "│ Throughput (# / s) (K) │ p0 │ p25 │ p50 │ …",
# where the unit (#) or (K) scales the figures.
p50() { awk -v name="$1" 'index($0, name) {found=1} found && /Throughput/ {gsub(/│/, " "); print $8 ($5 == "(K)" ? "K" : ""); exit}' "$out"; }
sign=$(p50 "whole token")
sign_raw=$(p50 "signing input only")
verify=$(p50 "RS256 verify")
echo
echo "openssl speed rsa2048: ${openssl_sign} sign/s, ${openssl_verify} verify/s"
echo "switchboard RS256:     ${sign} sign/s (whole token), ${sign_raw} sign/s (signing input), ${verify} verify/s (p50)"
rm -f "$out"
python3 - "$sign" "$sign_raw" "$openssl_sign" <<'PY'
import re, sys
def num(s):
    s = s.strip().upper(); m = 1
    if s.endswith("K"): m, s = 1000, s[:-1]
    if s.endswith("M"): m, s = 1000000, s[:-1]
    return float(re.sub(r"[^0-9.]", "", s)) * m
whole, raw, ref = (num(x) for x in sys.argv[1:4])
print(f"ratio to openssl sign rate: {whole / ref:.2f} (whole token), {raw / ref:.2f} (signing input); goal >= 0.9")
PY
