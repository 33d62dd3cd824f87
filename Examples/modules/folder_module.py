#!/usr/bin/env python3
"""A Switchboard external module in Python (standard library only): people from an HR export folder
(CSV or JSON files) as users, and a folder of Markdown documents as knowledge articles.

It speaks docs/module-protocol.md on stdin/stdout; stderr is its log. Declare it in connectors.yaml:

    modules:
      folder:
        command: python3
        args: [Examples/modules/folder_module.py]
    connectors:
      hr:
        module: folder
        features: [user-ingestion, knowledge]
        people: data/people        # *.csv (id,email,first_name,last_name,…) and *.json ([{…}])
        documents: data/handbook   # *.md; the first "# " line is the title
"""
import csv
import datetime
import io
import json
import os
import re
import sys

PROTOCOL_VERSION = 1
NAME = "folder"
PAGE = 1000  # records per records.commit (each line stays far below the host's 8 MiB limit)

SCHEMA = {
    "type": "object",
    "required": [],
    "properties": {
        "people": {"type": "string", "format": "path", "x-must-exist": True, "x-feature": "user-ingestion",
                   "description": "Folder of the HR export: *.csv with a header (id,email,first_name,last_name,…) or *.json arrays."},
        "documents": {"type": "string", "format": "path", "x-must-exist": True, "x-feature": "knowledge",
                      "description": "Folder of Markdown documents (*.md, searched recursively); the first '# ' line is the title."},
        "language": {"type": "string", "default": "en_US", "description": "Language of the documents."},
        "user-ingestion": {"type": "object", "x-feature": "user-ingestion", "description": "When to read the export.",
                           "properties": {"schedule": {"type": "string", "format": "duration", "default": "15m",
                                                       "description": "How often the host runs the user sync."}}},
        "knowledge": {"type": "object", "x-feature": "knowledge", "description": "When to read the documents.",
                      "properties": {"schedule": {"type": "string", "format": "duration", "default": "1h",
                                                  "description": "How often the host runs the knowledge sync."}}},
    },
}


def log(message):
    print(message, file=sys.stderr, flush=True)


class Peer:
    """Newline-delimited JSON-RPC 2.0 on stdin/stdout; calls to the host are answered while the
    module waits, and the host's own calls that arrive meanwhile are served in between."""

    def __init__(self, handler):
        self.handler = handler
        self.next_id = 1
        self.shutting_down = False
        # Answers that arrived while a nested call was waiting for its own.
        self.answers = {}
        # The host's calls being served (innermost last), and those the host gave up on.
        self.serving = []
        self.cancelled = set()

    def send(self, message):
        message["jsonrpc"] = "2.0"
        sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
        sys.stdout.flush()

    def call(self, method, params):
        request_id = "m%d" % self.next_id
        self.next_id += 1
        self.send({"id": request_id, "method": method, "params": params})
        while request_id not in self.answers:
            message = self.read()
            if message is None:
                raise SystemExit(0)
            if "method" in message:
                self.serve(message)  # the host's call, served while this one waits (it may nest)
            else:
                self.answers[message.get("id")] = message
        message = self.answers.pop(request_id)
        if self.serving and self.serving[-1] in self.cancelled:
            raise Cancelled()  # the host gave up on the call this one serves: stop its work here
        if "error" in message:
            raise HostError(message["error"])
        return message["result"]

    def read(self):
        line = sys.stdin.readline()
        if not line:
            return None
        return json.loads(line)

    def serve(self, message):
        method, params, request_id = message["method"], message.get("params") or {}, message.get("id")
        if method == "$/cancelRequest":
            if params.get("id") in self.serving:
                self.cancelled.add(params.get("id"))
            return
        self.serving.append(request_id)
        try:
            result = self.handler(method, params)
            if request_id is not None:
                self.send({"id": request_id, "result": result})
        except Cancelled:
            log("%s cancelled by the host" % method)  # no answer: the host no longer waits for one
        except ModuleError as error:
            if request_id is not None:
                self.send({"id": request_id, "error": {"code": -32000, "message": str(error), "data": {"code": error.code}}})
        except MethodNotFound:
            if request_id is not None:
                self.send({"id": request_id, "error": {"code": -32601, "message": "unknown method " + method}})
        finally:
            self.serving.pop()
            self.cancelled.discard(request_id)

    def run(self):
        while not self.shutting_down:
            message = self.read()
            if message is None:
                return
            if "method" in message:
                self.serve(message)


class HostError(Exception):
    def __init__(self, error):
        super().__init__(error.get("message"))
        self.error = error


class ModuleError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class MethodNotFound(Exception):
    pass


class Cancelled(Exception):
    """The host sent $/cancelRequest for the call being served."""


def iso(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def files(folder, suffixes):
    for root, _, names in os.walk(folder):
        for name in sorted(names):
            if name.lower().endswith(suffixes):
                yield os.path.join(root, name)


def people_in(path):
    """Rows of one export file as dictionaries."""
    with open(path, encoding="utf-8") as handle:
        if path.lower().endswith(".json"):
            rows = json.load(handle)
            return rows if isinstance(rows, list) else [rows]
        return list(csv.DictReader(io.StringIO(handle.read())))


def user_record(row, modified):
    known = {"id", "email", "first_name", "last_name"}
    return {"user": {
        "id": str(row["id"]), "email": row.get("email") or None, "firstName": row.get("first_name") or None,
        "lastName": row.get("last_name") or None,
        "fields": {key: str(value) for key, value in row.items() if key not in known and value not in (None, "")},
        "modifiedAt": iso(modified),
    }}


def article_record(path, folder, language):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), os.path.basename(path)[:-3])
    body = re.sub(r"[#*_`>\[\]]", "", text)
    body = re.sub(r"\(https?://[^)]*\)", "", body)
    relative = os.path.relpath(path, folder)
    slug = re.sub(r"[^a-z0-9]+", "-", relative[:-3].lower()).strip("-")
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip() and p.strip() != title]
    return {"article": {
        "id": relative, "title": title, "language": language, "bodyText": " ".join(body.split()),
        "summary": paragraphs[0][:200] if paragraphs else None, "urlName": slug, "modifiedAt": iso(os.path.getmtime(path)),
    }}


class FolderModule:
    def __init__(self):
        self.peer = Peer(self.handle)
        self.settings = None
        self.features = []

    def handle(self, method, params):
        if method == "initialize":
            if params.get("protocolVersion") != PROTOCOL_VERSION:
                raise ModuleError("invalid_request", "this module speaks protocol version 1")
            return {"protocolVersion": PROTOCOL_VERSION, "name": NAME,
                    "summary": "People from an HR export folder (CSV/JSON) and knowledge from a folder of Markdown documents.",
                    "features": ["user-ingestion", "knowledge"], "settings": SCHEMA}
        if method == "connector.start":
            self.settings, self.features = params["settings"], params["features"]
            log("started connector %s with %s" % (params["name"], ", ".join(self.features)))
            return {}
        if method == "check":
            checks = []
            for key, feature in (("people", "user-ingestion"), ("documents", "knowledge")):
                if feature in self.features:
                    folder = self.settings.get(key)
                    ok = folder is not None and os.path.isdir(folder)
                    checks.append({"name": key, "status": "healthy" if ok else "unhealthy",
                                   "detail": "readable" if ok else "cannot read %s" % folder})
            return {"checks": checks}
        if method == "sync.run":
            if params["feature"] == "user-ingestion":
                return self.sync_people(params["mode"])
            if params["feature"] == "knowledge":
                return self.sync_documents(params["mode"])
            raise ModuleError("invalid_request", "%s does not sync" % params["feature"])
        if method == "shutdown":
            self.peer.shutting_down = True
            return {}
        raise MethodNotFound()

    def changed_files(self, stream, folder, suffixes, mode):
        """Files changed after the stream's checkpoint (all of them on a full run), oldest first;
        each file is committed with a cursor that covers it (its mtime and path)."""
        cursor = None if mode == "full" else self.peer.call("checkpoint.get", {"stream": stream})["cursor"]
        found = sorted(((os.path.getmtime(path), path) for path in files(folder, suffixes)))
        return [(mtime, path) for mtime, path in found if cursor is None or "%.6f|%s" % (mtime, path) > cursor], \
            [path for _, path in found]

    def sync_people(self, mode):
        folder = self.settings["people"]
        changed, everything = self.changed_files("users", folder, (".csv", ".json"), mode)
        upserted = 0
        for mtime, path in changed:
            records = [user_record(row, mtime) for row in people_in(path) if row.get("id")]
            # Pages of PAGE records; only the file's last page carries its cursor, so a run that stops
            # half-way through a file reads the whole file again.
            for start in range(0, max(len(records), 1), PAGE):
                last = start + PAGE >= len(records)
                self.peer.call("records.commit", {"stream": "users", "upserts": records[start:start + PAGE], "deletions": [],
                                                  "checkpoint": "%.6f|%s" % (mtime, path) if last else None})
            upserted += len(records)
        deleted = 0
        if mode == "full":
            ids = [str(row["id"]) for path in everything for row in people_in(path) if row.get("id")]
            deleted = self.peer.call("records.reconcile", {"stream": "users", "keeping": ids})["removed"]
        log("people: %d written from %d files, %d removed" % (upserted, len(changed), deleted))
        return {"upserted": upserted, "deleted": deleted, "pages": len(changed)}

    def sync_documents(self, mode):
        folder, language = self.settings["documents"], self.settings.get("language", "en_US")
        changed, everything = self.changed_files("articles", folder, (".md",), mode)
        for mtime, path in changed:
            self.peer.call("records.commit", {"stream": "articles", "upserts": [article_record(path, folder, language)],
                                              "deletions": [], "checkpoint": "%.6f|%s" % (mtime, path)})
        ids = [os.path.relpath(path, folder) for path in everything]
        deleted = self.peer.call("records.reconcile", {"stream": "articles", "keeping": ids})["removed"]
        log("documents: %d written, %d removed" % (len(changed), deleted))
        return {"upserted": len(changed), "deleted": deleted, "pages": len(changed)}


if __name__ == "__main__":
    FolderModule().peer.run()
