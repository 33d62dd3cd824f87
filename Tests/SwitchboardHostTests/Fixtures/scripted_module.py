#!/usr/bin/env python3
"""A test module whose connector setting `behavior` decides how it (mis)behaves:
steady | crash-mid-sync | hang | garbage | huge-line | ask-secrets | ignore-shutdown.
Its user sync commits 3 batches of 2 users ("u1".."u6") with cursor = the batch number."""
import json, os, signal, sys, time

def send(message):
    message["jsonrpc"] = "2.0"
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()

answers, counter, settings = {}, [0], {}

def call(method, params):
    counter[0] += 1
    request_id = "m%d" % counter[0]
    send({"id": request_id, "method": method, "params": params})
    while request_id not in answers:
        line = sys.stdin.readline()
        if not line:
            sys.exit(0)
        message = json.loads(line)
        if "method" in message:
            serve(message)
        else:
            answers[message["id"]] = message
    return answers.pop(request_id)

def sync():
    behavior = settings.get("behavior", "steady")
    cursor = call("checkpoint.get", {"stream": "users"})["result"]["cursor"]
    start = int(cursor) if cursor else 0
    written = 0
    for batch in range(start + 1, 4):
        if behavior == "crash-mid-sync" and batch == 3 and not os.path.exists(settings["marker"]):
            open(settings["marker"], "w").close()
            os._exit(3)
        users = [{"user": {"id": "u%d" % n, "email": "u%d@acme.example" % n, "fields": {}, "modifiedAt": "2026-01-01T00:00:00Z"}}
                 for n in (batch * 2 - 1, batch * 2)]
        call("records.commit", {"stream": "users", "upserts": users, "deletions": [], "checkpoint": str(batch)})
        written += len(users)
    return {"upserted": written, "deleted": 0, "pages": 3 - start}

def serve(message):
    method, params, request_id = message["method"], message.get("params") or {}, message.get("id")
    behavior = settings.get("behavior", "steady")
    if method == "initialize":
        result = {"protocolVersion": 1, "name": "scripted", "summary": "A scripted test module.", "features": ["user-ingestion", "live-agent"],
                  "settings": {"type": "object", "required": ["behavior"], "properties": {
                      "behavior": {"type": "string", "description": "How to behave."},
                      "marker": {"type": "string", "description": "A file marking the first crash.", "default": "/tmp/none"},
                      "token": {"type": "string", "x-secret": True, "description": "A secret it may read."},
                      "label": {"type": "string", "description": "Not a secret."},
                      "label_url": {"type": "string", "description": "An API base URL."},
                      "client_id": {"type": "string", "description": "An OAuth client id."}}}}
    elif method == "connector.start":
        settings.update(params["settings"])
        if settings.get("behavior") == "exit-after-start":
            send({"id": request_id, "result": {}})
            time.sleep(0.2)
            os._exit(7)
        result = {}
    elif method == "check":
        result = {"checks": [{"name": "scripted", "status": "healthy", "detail": behavior}]}
    elif method == "sync.run":
        if behavior == "hang":
            time.sleep(3600)
        if behavior == "garbage":
            sys.stdout.write("this is not json\n"); sys.stdout.flush(); time.sleep(3600)
        if behavior == "huge-line":
            chunk = "x" * (1 << 20)
            for _ in range(100):
                sys.stdout.write(chunk)
            sys.stdout.write("\n"); sys.stdout.flush(); time.sleep(3600)
        if behavior == "oauth":
            # Ask the host to call an API with a token it gets itself (client credentials).
            base = settings["label_url"]
            answer = call("http.request", {"method": "GET", "url": base + "/api/data/v9.2/contacts?$select=contactid&$filter=emailaddress1%20eq%20%27nobody%40acme.example%27",
                                           "headers": [], "oauth": {"tokenURL": base + "/sandbox-tenant/oauth2/v2.0/token",
                                                                    "grant": "client_credentials", "clientId": settings["client_id"],
                                                                    "clientSecret": settings["token"], "scope": base + "/.default"}})
            send({"id": request_id, "result": {"upserted": 0, "deleted": 0, "pages": 0, "status": answer["result"]["status"]}})
            return
        if behavior == "ask-secrets":
            own = call("secrets.resolve", {"reference": settings["token"]})
            other = call("secrets.resolve", {"reference": settings["label"]})
            result = {"upserted": 0, "deleted": 0, "pages": 0,
                      "own": own.get("result", {}).get("value"), "other": other.get("error", {}).get("data", {}).get("code")}
            print("asked for %s: %s" % (settings["label"], result["other"]), file=sys.stderr, flush=True)
            send({"id": request_id, "result": result})
            return
        result = sync()
    elif method == "live-agent.start":
        # Answer first, then tell the host what the agent side does (nested calls while serving).
        send({"id": request_id, "result": {"conversationId": "conv-" + params["handoffId"], "status": "queued"}})
        call("handoff.event", {"handoffId": params["handoffId"], "entryId": "e0", "kind": "agent_joined", "displayName": "Sam"})
        return
    elif method == "live-agent.send":
        call("handoff.event", {"handoffId": params["handoffId"], "entryId": "e-" + params["text"], "kind": "agent_message",
                               "text": "echo: " + params["text"], "sender": "Sam"})
        # The same entry again (a reconnect would do that): the host relays it once.
        call("handoff.event", {"handoffId": params["handoffId"], "entryId": "e-" + params["text"], "kind": "agent_message",
                               "text": "echo: " + params["text"], "sender": "Sam"})
        result = {}
    elif method in ("live-agent.typing", "live-agent.end", "live-agent.logout"):
        result = {}
    elif method == "shutdown":
        if behavior == "ignore-shutdown":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            time.sleep(3600)
        send({"id": request_id, "result": {}})
        sys.exit(0)
    elif request_id is None:
        return
    else:
        send({"id": request_id, "error": {"code": -32601, "message": "unknown method " + method}})
        return
    if request_id is not None:
        send({"id": request_id, "result": result})

while True:
    line = sys.stdin.readline()
    if not line:
        break
    serve(json.loads(line))
