#!/usr/bin/env python3
"""MCP tool-call latency over the host's Streamable HTTP endpoint (/mcp), p50/p99.

Run a release host on the shipped config first, with a token:
  swift build -c release --product switchboard
  SWITCHBOARD_API_TOKEN=benchtoken-0123456789abcdef0123456789 SWITCHBOARD_LISTEN=127.0.0.1:18799 .build/release/switchboard run
then:  python3 Benchmarks/mcp-latency.py [base-url] [token]
Each call is one tool call (the tool calls the host's API over loopback; list_tickets reaches the sandbox org).
"""
import json, sys, time, urllib.request

base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18799") + "/mcp"
token = sys.argv[2] if len(sys.argv) > 2 else "benchtoken-0123456789abcdef0123456789"


def post(body, session=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "Authorization": "Bearer " + token, "MCP-Protocol-Version": "2025-06-18"}
    if session:
        headers["Mcp-Session-Id"] = session
    request = urllib.request.Request(base, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request) as response:
        return response.headers.get("Mcp-Session-Id"), response.read().decode()


session, _ = post({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}})
post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)


def run(name, arguments, calls=400):
    latencies = []
    for n in range(calls):
        started = time.perf_counter()
        _, text = post({"jsonrpc": "2.0", "id": 10 + n, "method": "tools/call", "params": {"name": name, "arguments": arguments}}, session)
        latencies.append((time.perf_counter() - started) * 1000)
        assert '"isError":false' in text.replace(" ", ""), text[:300]
    latencies.sort()
    print(f"{name}: p50 {latencies[len(latencies) // 2]:.2f} ms, p99 {latencies[int(len(latencies) * 0.99)]:.2f} ms ({calls} calls)")


run("search_knowledge", {"query": "restart", "language": "en_US"})
run("find_user", {"email": "ada.allen.112@acme.example"})
run("list_tickets", {"requester_email": "ada.allen.112@acme.example"})
run("read_events", {"after": 0, "limit": 50})
