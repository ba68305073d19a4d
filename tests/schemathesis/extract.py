"""Prints every interaction of a schemathesis VCR cassette as one JSON line each.

Usage: python extract.py cassette.yaml > interactions.jsonl
Handles both plain (`body.string`) and `--report-preserve-bytes` (`body.base64_string`) cassettes.
"""
import base64, json, sys
import yaml

def body_text(body):
    if body is None:
        return None
    if "base64_string" in body:
        return base64.b64decode(body["base64_string"]).decode(body.get("encoding") or "utf-8", "replace")
    return body.get("string")

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
with open(sys.argv[1], encoding="utf-8") as f:
    cassette = yaml.load(f, Loader=Loader)
for it in cassette["http_interactions"] or []:
    req_raw = body_text(it["request"].get("body"))
    req = json.loads(req_raw) if req_raw else None
    resp = it.get("response")
    print(json.dumps({
        "id": it["id"],
        "status": it["status"],                      # SUCCESS / FAILURE / SKIP / ERROR
        "mode": (it.get("generation") or {}).get("mode"),
        "method": it["request"]["method"],
        "uri": it["request"]["uri"],
        "query": req.get("query") if isinstance(req, dict) else None,
        "variables": req.get("variables") if isinstance(req, dict) else None,
        "response_status": int(resp["status"]["code"]) if resp else None,
        "response_body": body_text(resp.get("body")) if resp else None,
        "failed_checks": [c["name"] for c in it.get("checks", []) if c["status"] == "FAILURE"],
    }, ensure_ascii=False))
