#!/usr/bin/env bash
# SSE parse throughput (MB/s, events/s) on 100 MB of Enhanced Messaging traffic, beside a plain
# memchr newline scan of the same buffer, interleaved round by round (Benchmarks/SSEParse).
# Goal: >= 1 GB/s and >= 0.3 of the scan. Pinned to one core. Arguments: [megabytes] [rounds].
# Percentiles and allocation counts per pass: swift package benchmark --target SSEBenchmarks.
set -euo pipefail
cd "$(dirname "$0")"
rm -f .build/release.yaml  # new root sources need a fresh build plan
swift build -c release --product SSEParse >/dev/null
taskset -c 0 .build/release/SSEParse "$@"
