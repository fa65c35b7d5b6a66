"""check-meds serve: a real server in a subprocess on a free loopback port, spoken to over HTTP.

Needs the "server" extra (pip install -e ".[test,server]"); skipped without it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from interactions.engine import check

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "interactions" / "schema"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SELECT = "/cds-services/check-meds-order-select"


pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
jwt = pytest.importorskip("jwt")


# -- helpers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(self.port), *args],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.proc.stdout.read()}")
            try:
                if call(self.base, "GET", "/health")[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("server did not start within 60 s")
            time.sleep(0.1)

    def stop(self) -> str:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out


def call(base: str, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def post(base: str, path: str, body, headers: dict | None = None) -> tuple[int, dict]:
    status, _, raw = call(base, "POST", path, body, {"Content-Type": "application/json", **(headers or {})})
    return status, json.loads(raw)


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    log = s.stop()
    assert "Traceback" not in log, log


def med_request(rid: str, status: str, *, text: str | None = None, rxcui: str | None = None, display: str | None = None) -> dict:
    cc: dict = {}
    if rxcui:
        cc["coding"] = [{"system": RXNORM, "code": rxcui, **({"display": display} if display else {})}]
    if text:
        cc["text"] = text
    return {"resourceType": "MedicationRequest", "id": rid, "status": status, "intent": "order",
            "subject": {"reference": "Patient/p1"}, "medicationCodeableConcept": cc}


def bundle(*resources: dict, kind: str = "collection") -> dict:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


PATIENT = {"resourceType": "Patient", "id": "p1", "birthDate": "1941-05-04"}


def hook_request(hook: str, drafts: list[dict], prefetch: dict | None, **extra) -> dict:
    key = "medications" if hook == "medication-prescribe" else "draftOrders"
    body = {"hook": hook, "hookInstance": "8e0e9d4c-4f5c-4c3e-9a59-3f3b9c1e2d11",
            "context": {"userId": "Practitioner/7", "patientId": "p1", key: bundle(*drafts)}, **extra}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def existing_prefetch(*resources: dict) -> dict:
    return {"patient": PATIENT, "medicationRequests": bundle(*resources, kind="searchset"), "medicationStatements": None}


# -- discovery -------------------------------------------------------------------------------

def test_discovery_lists_the_hooks_with_prefetch(server):
    status, _, raw = call(server.base, "GET", "/cds-services")
    services = json.loads(raw)["services"]
    assert status == 200
    assert sorted(s["hook"] for s in services) == ["medication-prescribe", "order-select", "order-sign"]
    for s in services:
        pf = s["prefetch"]
        assert pf["patient"] == "Patient/{{context.patientId}}"
        assert pf["medicationRequests"].startswith("MedicationRequest?patient={{context.patientId}}")
        assert pf["medicationStatements"].startswith("MedicationStatement?patient={{context.patientId}}")
        assert s["id"] and s["description"]


# -- cards -----------------------------------------------------------------------------------

def expected_finding(kb, meds: list[str], age: int):
    """What the library says about these medications: the card must carry the same finding."""
    found = [f for f in check(meds, kb, age=age).findings if "fluconazole" in f.drugs and "warfarin" in f.drugs]
    assert len(found) == 1
    return found[0]


def test_order_select_warfarin_fluconazole_card(server, kb):
    draft = med_request("draft-1", "draft", text="Fluconazole 150 MG Oral Tablet")
    other_draft = med_request("draft-2", "draft", text="acetaminophen 500 mg")
    existing = [med_request("m1", "active", rxcui="11289", display="warfarin"),
                med_request("m2", "active", text="baclofen 10 mg"), med_request("m3", "active", text="alprazolam 0.5 mg"),
                med_request("m4", "stopped", text="clarithromycin 500 mg")]
    body = hook_request("order-select", [draft, other_draft], existing_prefetch(*existing))
    body["context"]["selections"] = ["MedicationRequest/draft-1"]
    status, doc = post(server.base, SELECT, body)
    assert status == 200, doc
    cards = doc["cards"]
    f = expected_finding(kb, ["Fluconazole 150 MG Oral Tablet", "rxcui:11289"], age_now(PATIENT["birthDate"]))
    rule = f.rule_data
    # one card per finding that involves the selected draft: each names fluconazole and, as the
    # library says, what else on the list it interacts with; the existing pair (baclofen +
    # alprazolam) is not repeated on an order; the stopped antibiotic is not current
    expected = {frozenset(g.drugs) for g in check(["Fluconazole 150 MG Oral Tablet", "rxcui:11289", "baclofen 10 mg", "alprazolam 0.5 mg"],
                                                   kb, age=age_now(PATIENT["birthDate"])).findings if "fluconazole" in g.drugs}
    assert all("fluconazole" in c["summary"] for c in cards), [c["summary"] for c in cards]
    assert len(cards) == len(expected), ([c["summary"] for c in cards], expected)
    assert not any("clarithromycin" in c["summary"] or "acetaminophen" in c["summary"] for c in cards)
    (card,) = [c for c in cards if "warfarin" in c["summary"]]
    assert card["indicator"] == {"contraindicated": "critical", "major": "critical", "moderate": "warning", "minor": "info"}[rule["severity"]]
    assert len(card["summary"]) < 140 and "fluconazole" in card["summary"] and "warfarin" in card["summary"]
    detail = card["detail"]
    assert rule["effect"] in detail and rule["management"] in detail and "(draft order)" in detail
    for ref in rule["references"]:
        assert kb.references[ref]["citation"].split(" ")[0] in detail
        if kb.references[ref]["url"]:
            assert {"url": kb.references[ref]["url"], "type": "absolute"}.items() <= next(
                ln for ln in card["links"] if ln["url"] == kb.references[ref]["url"]).items()
    assert kb.info["version"] in card["source"]["label"]
    assert card["source"]["url"] == f"{server.base}/rules/{f.rule}"
    status, _, raw = call(server.base, "GET", f"/rules/{f.rule}")
    assert status == 200 and json.loads(raw)["title"] == rule["title"]
    assert card["overrideReasons"] and all({"code", "display"} <= set(r) for r in card["overrideReasons"])
    if "avoid" in rule["management"].lower() or rule["severity"] == "contraindicated":
        (sugg,) = card["suggestions"]
        assert sugg["actions"] == [{"type": "delete", "description": sugg["actions"][0]["description"], "resourceId": ["MedicationRequest/draft-1"]}]


def age_now(birth: str) -> int:
    import datetime

    t, (y, m, d) = datetime.date.today(), map(int, birth.split("-"))
    return t.year - y - ((t.month, t.day) < (m, d))


def test_unrecognised_names_get_a_card_never_silence(server):
    drafts = [med_request("d1", "draft", text="Zorbulax 20 mg")]
    existing = [med_request("m1", "active", text="lisinoprl 10 mg"), {"resourceType": "MedicationRequest", "id": "m9", "status": "active",
                                                                      "subject": {"reference": "Patient/p1"}}]
    status, doc = post(server.base, SELECT, hook_request("order-select", drafts, existing_prefetch(*existing)))
    assert status == 200, doc
    by_summary = {c["summary"]: c for c in doc["cards"]}
    zor = next(c for s, c in by_summary.items() if "Zorbulax 20 mg" in s)
    assert zor["indicator"] == "warning" and "not checked" in zor["summary"] and "draft order" in zor["detail"]
    lis = next(c for s, c in by_summary.items() if "lisinoprl" in s)
    assert "lisinopril" in lis["detail"]  # the suggestion
    assert any("MedicationRequest/m9" in s and c["indicator"] == "warning" for s, c in by_summary.items())


def test_missing_prefetch_is_fetched_from_the_fhir_server(server, kb):
    with StubFhir({"/Patient/p1": PATIENT,
                   "/MedicationRequest?patient=p1&status=active": bundle(med_request("m1", "active", rxcui="11289", display="warfarin"), kind="searchset"),
                   "/MedicationStatement?patient=p1&status=active": bundle(kind="searchset")}) as fhir:
        body = hook_request("order-sign", [med_request("d1", "draft", text="fluconazole")], None,
                            fhirServer=fhir.base, fhirAuthorization={"access_token": "tok-123", "token_type": "Bearer", "expires_in": 300,
                                                                     "scope": "patient/*.read", "subject": "cds"})
        status, doc = post(server.base, "/cds-services/check-meds-order-sign", body)
    assert status == 200, doc
    assert sorted(p for p, _ in fhir.seen) == sorted(fhir.routes)
    assert all(auth == "Bearer tok-123" for _, auth in fhir.seen)
    f = expected_finding(kb, ["fluconazole", "rxcui:11289"], age_now(PATIENT["birthDate"]))
    assert [c["source"]["topic"]["code"] for c in doc["cards"]] == [f.rule]  # the age from birthDate applied the rule set


def test_existing_medications_that_cannot_be_had_are_said(server):
    port = free_port()  # nothing listens there
    body = hook_request("order-sign", [med_request("d1", "draft", text="fluconazole")], None, fhirServer=f"http://127.0.0.1:{port}/fhir")
    status, doc = post(server.base, "/cds-services/check-meds-order-sign", body)
    assert status == 200, doc
    assert any(c["indicator"] == "warning" and "not checked" in c["summary"] for c in doc["cards"])
    status, doc = post(server.base, "/cds-services/check-meds-order-sign", hook_request("order-sign", [med_request("d1", "draft", text="fluconazole")], None))
    assert status == 200 and any("not checked" in c["summary"] for c in doc["cards"]), doc


def test_medication_prescribe_for_older_clients(server):
    drafts = [{"resourceType": "MedicationOrder", "id": "o1", "status": "draft", "patient": {"reference": "Patient/p1"},
               "medicationCodeableConcept": {"text": "clarithromycin 500 mg"}}]
    body = hook_request("medication-prescribe", drafts, existing_prefetch(med_request("m1", "active", text="simvastatin 40 mg")))
    status, doc = post(server.base, "/cds-services/check-meds-medication-prescribe", body)
    assert status == 200, doc
    assert doc["cards"] and doc["cards"][0]["indicator"] == "critical"
    assert "clarithromycin" in doc["cards"][0]["summary"] and "simvastatin" in doc["cards"][0]["summary"]


def test_feedback_is_accepted(server):
    status, doc = post(server.base, SELECT + "/feedback", {"feedback": [{"card": "x", "outcome": "overridden", "outcomeTimestamp": "2026-01-01T00:00:00Z"}]})
    assert status == 200 and doc == {}


# -- JSON API --------------------------------------------------------------------------------

def test_check_answers_the_command_line_document(server):
    import jsonschema

    meds = ["Percocet", "Xanax 0.5 mg", "hydroxyzne"]
    status, doc = post(server.base, "/check", {"medications": meds, "age": 81})
    assert status == 200
    jsonschema.validate(doc, json.loads((SCHEMAS / "result.schema.json").read_text()))
    cli = subprocess.run([sys.executable, "-m", "cli", *meds, "--age", "81", "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 1, cli.stderr
    assert doc == json.loads(cli.stdout)
    assert doc["summary"]["complete"] is False and doc["unrecognized"][0]["input"] == "hydroxyzne"


def test_batch_streams_one_line_per_input(server):
    import jsonschema

    lines = [json.dumps({"id": "R1", "medications": ["warfarin", "fluconazole"]}), "", "{not json",
             json.dumps({"id": 3, "medications": []}), json.dumps({"medications": ["baclofen", "alcohol"], "age": 70})]
    status, _, raw = call(server.base, "POST", "/batch", ("\n".join(lines) + "\n").encode())
    assert status == 200
    out = [json.loads(x) for x in raw.decode().splitlines()]
    assert [o.get("line") for o in out] == [1, 3, 4, 5]
    result, error = (json.loads((SCHEMAS / n).read_text()) for n in ("result.schema.json", "batch-error.schema.json"))
    for o in out:
        jsonschema.validate(o, error if "error" in o else result)
    assert out[0]["id"] == "R1" and out[0]["findings"]
    assert "not valid JSON" in out[1]["error"] and out[2]["error"] == "no medications"


def test_health_and_info(server):
    assert call(server.base, "GET", "/health")[0] == 200
    status, _, raw = call(server.base, "GET", "/info")
    assert status == 200 and json.loads(raw)["knowledge_base"]["counts"]["rules"] > 0


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "body", "status", "words"), [
    (SELECT, b'{"hook": "order-select", ', 400, "not valid JSON"),
    (SELECT, b"\xff\xfe", 400, "UTF-8"),
    (SELECT, b"[]", 400, "JSON object"),
    (SELECT, json.dumps({"hook": "order-sign", "hookInstance": "x", "context": {"draftOrders": None}}).encode(), 400, "order-select"),
    (SELECT, json.dumps({"hook": "order-select", "hookInstance": "x", "context": {"draftOrders": {"resourceType": "Bundle", "entry": [5]}}}).encode(), 400, "entry 1"),
    (SELECT, json.dumps({"hook": "order-select", "hookInstance": "x", "context": {"draftOrders": []}, "prefetch": {"patient": {"resourceType": "Observation"}}}).encode(), 400, "Patient"),
    ("/cds-services/nope", b"{}", 404, "no CDS service"),
    ("/check", b'{"medications": "warfarin"}', 400, "list of strings"),
    ("/check", b'{"medications": ["warfarin"], "ages": 3}', 400, "unknown key"),
    ("/check", b"", 400, "empty"),
])
def test_bad_requests_get_a_one_line_reason(server, path, body, status, words):
    got, headers, raw = call(server.base, "POST", path, body, {"Content-Type": "application/json"})
    assert got == status
    doc = json.loads(raw)
    assert words in doc["error"] and "\n" not in doc["error"] and "Traceback" not in raw.decode()


def raw_request(port: int, head: str, body: bytes = b"") -> tuple[int, dict]:
    """Send a request as bytes (the server may answer before the body is all sent) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode())
        try:
            for i in range(0, len(body), 65536):
                sock.sendall(body[i:i + 65536])
        except OSError:
            pass  # answered and closed early: what a limit should do
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 10:
            more = sock.recv(65536)
            if not more:
                break
            data += more
    status = int(data.split(b" ", 2)[1])
    payload = data.split(b"\r\n\r\n", 1)[1]
    if b"transfer-encoding: chunked" in data.split(b"\r\n\r\n", 1)[0].lower():
        payload = payload.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
    return status, json.loads(payload.split(b"\r\n")[0])


def test_oversize_body_is_413(server):
    status, doc = raw_request(server.port, "POST /check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
    assert status == 413 and "over 1048576 bytes" in doc["error"]
    # no Content-Length: counted as it arrives
    chunk = b"[" + b'"warfarin",' * 10000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(12)) + b"0\r\n\r\n"
    status, doc = raw_request(server.port, "POST /check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", body)
    assert status == 413 and "over" in doc["error"]


def test_wrong_method_is_json(server):
    status, _, raw = call(server.base, "GET", "/check")
    assert status == 405 and "error" in json.loads(raw)


def test_non_loopback_without_auth_is_refused():
    proc = subprocess.run([sys.executable, "-m", "cli", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "--insecure-no-auth" in proc.stderr and "Traceback" not in proc.stderr


# -- JWT -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    from cryptography.hazmat.primitives.asymmetric import ec

    from cryptography.hazmat.primitives.asymmetric import rsa

    key = ec.generate_private_key(ec.SECP384R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", alg="ES384", use="sig")
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    rsa_jwk.update(kid="k2", alg="RS384", use="sig")
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk, rsa_jwk]}))
    s = Server("--jwks-file", str(path), "--jwt-issuer", "https://ehr.example.org")
    yield s, key, rsa_key
    s.stop()


def token(key, aud: str, iss: str = "https://ehr.example.org", alg: str = "ES384", exp: float = 300, kid: str = "k1") -> str:
    now = int(time.time())
    claims = {"iss": iss, "aud": aud, "iat": now, "exp": now + exp, "jti": os.urandom(8).hex(), "sub": "client"}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def test_jwt_accepted_and_refused(signed):
    from cryptography.hazmat.primitives.asymmetric import ec

    s, key, rsa_key = signed
    aud = s.base + SELECT
    body = hook_request("order-select", [med_request("d1", "draft", text="fluconazole")], existing_prefetch(med_request("m1", "active", text="warfarin")))
    for good in (token(key, aud), token(rsa_key, aud, alg="RS384", kid="k2")):
        ok, doc = post(s.base, SELECT, body, {"Authorization": f"Bearer {good}"})
        assert ok == 200 and doc["cards"]
    other = ec.generate_private_key(ec.SECP384R1())
    for bad in (None, "Basic abc", f"Bearer {token(key, aud, iss='https://evil.example')}", f"Bearer {token(key, s.base + '/check')}",
                f"Bearer {token(key, aud, exp=-120)}", f"Bearer {token(other, aud)}", f"Bearer {token('s' * 48, aud, alg='HS256')}", "Bearer x.y.z"):
        status, doc = post(s.base, SELECT, body, {"Authorization": bad} if bad else {})
        assert status == 401, (bad, doc)
        assert doc["error"] and "\n" not in doc["error"]
    assert call(s.base, "GET", "/cds-services")[0] == 200  # discovery needs no token


# -- a stub FHIR server ----------------------------------------------------------------------

class StubFhir:
    """A FHIR server on a free loopback port that answers fixed resources and records what it was asked."""

    def __init__(self, routes: dict[str, dict]) -> None:
        self.routes = routes
        self.seen: list[tuple[str, str | None]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                path = self.path[len("/fhir"):]
                stub.seen.append((path, self.headers.get("Authorization")))
                doc = stub.routes.get(path)
                data = json.dumps(doc if doc is not None else {"resourceType": "OperationOutcome"}).encode()
                self.send_response(200 if doc is not None else 404)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/fhir"

    def __enter__(self) -> "StubFhir":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- without HTTP: the card policy -----------------------------------------------------------

def test_findings_among_existing_medications_only_when_asked(kb):
    from interactions.server import cds

    body = hook_request("order-sign", [med_request("d1", "draft", text="acetaminophen 500 mg")],
                        existing_prefetch(med_request("m1", "active", text="baclofen 10 mg"), med_request("m2", "active", text="alprazolam 0.5 mg")))
    lib = check(["acetaminophen 500 mg", "baclofen 10 mg", "alprazolam 0.5 mg"], kb, age=age_now(PATIENT["birthDate"]))
    assert lib.findings and all("acetaminophen 500 mg" not in f.inputs for f in lib.findings)
    quiet = cds.answer(cds.parse("check-meds-order-sign", body), kb, max_medications=100, existing_findings=False, rule_url=str)
    assert quiet == {"cards": []}
    told = cds.answer(cds.parse("check-meds-order-sign", body), kb, max_medications=100, existing_findings=True, rule_url=str)
    assert [c["source"]["topic"]["code"] for c in told["cards"]] == [f.rule for f in lib.findings]
    assert all(c["summary"].startswith("Current medications: ") and "suggestions" not in c for c in told["cards"])


def test_two_workers_answer(tmp_path):
    s = Server("--workers", "2")
    try:
        for _ in range(4):
            status, doc = post(s.base, "/check", {"medications": ["warfarin", "fluconazole"]})
            assert status == 200 and doc["summary"]["findings"] >= 1
        assert call(s.base, "GET", "/rules/no-such-rule")[0] == 404
    finally:
        log = s.stop()
    assert "Traceback" not in log


def test_selections_that_match_no_draft_do_not_silence_it(kb):
    from interactions.server import cds

    body = hook_request("order-select", [med_request("d1", "draft", text="fluconazole")], existing_prefetch(med_request("m1", "active", text="warfarin")))
    for sel in (["MedicationRequest/other"], ["https://ehr.example.org/fhir/MedicationRequest/d1"]):
        body["context"]["selections"] = sel
        doc = cds.answer(cds.parse("check-meds-order-select", body), kb, max_medications=100, existing_findings=False, rule_url=str)
        assert [c["indicator"] for c in doc["cards"]] == ["critical"], sel


def test_an_operation_outcome_instead_of_medications_is_said(kb):
    from interactions.server import cds

    prefetch = existing_prefetch(med_request("m1", "active", text="warfarin"))
    prefetch["medicationStatements"] = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout", "diagnostics": "upstream timed out"}]}
    body = hook_request("order-sign", [med_request("d1", "draft", text="fluconazole")], prefetch)
    doc = cds.answer(cds.parse("check-meds-order-sign", body), kb, max_medications=100, existing_findings=False, rule_url=str)
    summaries = [c["summary"] for c in doc["cards"]]
    assert len(summaries) == 2 and "MedicationStatement" in summaries[1] and "upstream timed out" in doc["cards"][1]["detail"]
