"""The ASGI application (Starlette): CDS Hooks endpoints and the JSON API over one loaded knowledge base.

Every error is a JSON object ``{"error": "<one line>"}`` with a 4xx status; an
unexpected exception is logged with its traceback on the server and answered
500 with a one-line message, never the traceback.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import DISCLAIMER, __version__
from ..batch.read_jsonl import json_problem, record
from ..engine import CheckResult, check
from ..reporters.batch_jsonl import DUMPS, Encoder, _slot, template
from ..reporters.document import document, error_document, knowledge_base_info
from ..severity import SEVERITIES
from . import cds
from .fhir import FhirError, fetch, fill_template
from .settings import Settings

log = logging.getLogger("check_meds.server")
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
CHECK_KEYS = {"medications", "age", "min_severity"}


def error(status: int, message: str) -> HTTPException:
    return HTTPException(status, message)


try:  # cards serialise ~15x faster with orjson (the server extra installs it); same JSON either way
    from orjson import dumps as _fast_dumps
except ImportError:  # pragma: no cover
    def _fast_dumps(obj: Any) -> bytes:
        return _COMPACT(obj).encode("utf-8")


def json_response(obj: Any, status: int = 200, sort: bool = False) -> Response:
    body = DUMPS(obj).encode("utf-8") if sort else _fast_dumps(obj)
    return Response(body, status, media_type="application/json")


class Service:
    """The state a worker keeps: settings, the knowledge base, the token verifier."""

    def __init__(self, settings: Settings, kb: Any, verifier: Any = None) -> None:
        self.settings = settings
        self.kb = kb
        self.verifier = verifier
        self.encoder = Encoder(kb)
        self.documents: dict[str, DocumentEncoder] = {}  # by min_severity
        self.rule_texts: dict[str, Any] = {}  # card text per rule, made once
        self.info = {"check_meds_version": __version__, "knowledge_base": knowledge_base_info(kb), "disclaimer": DISCLAIMER}

    # -- helpers -----------------------------------------------------------------------------

    async def body(self, request: Request, limit: int) -> bytes:
        cl = request.headers.get("content-length")
        if cl is not None:
            if not cl.isdigit():
                raise error(400, "Content-Length is not a number")
            if int(cl) > limit:
                raise error(413, f"request body over {limit} bytes")
        chunks, size = [], 0
        try:
            with anyio.fail_after(self.settings.read_timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise error(413, f"request body over {limit} bytes")
                    chunks.append(chunk)
        except TimeoutError:
            raise error(408, f"request body not received within {self.settings.read_timeout:g} s") from None
        return b"".join(chunks)

    async def json_body(self, request: Request) -> Any:
        data = await self.body(request, self.settings.max_body)
        if not data.strip():
            raise error(400, "empty request body: a JSON object was expected")
        try:
            return json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise error(400, f"request body is not valid UTF-8 (byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            raise error(400, f"request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
        except (ValueError, RecursionError) as exc:
            raise error(400, f"request body is {json_problem(exc)}") from None

    async def authorize(self, request: Request) -> None:
        if self.verifier is None:
            return
        from .auth import AuthError

        url = self.public(request) + request.url.path
        header = request.headers.get("authorization")
        try:
            if self.settings.jwks_url:
                await run_in_threadpool(self.verifier.verify, header, url)
            else:
                self.verifier.verify(header, url)
        except AuthError as exc:
            raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None

    def public(self, request: Request) -> str:
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    # -- CDS Hooks ---------------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        return json_response(cds.discovery())

    async def service_call(self, request: Request) -> tuple[str, Any]:
        """A call to one CDS service: its id and the JSON body, once the service exists and the token is good."""
        sid = request.path_params["service"]
        if sid not in cds.SERVICES:
            raise error(404, f"no CDS service {sid!r} (GET /cds-services lists them)")
        await self.authorize(request)
        return sid, await self.json_body(request)

    async def hook(self, request: Request) -> Response:
        sid, body = await self.service_call(request)
        try:
            req = cds.parse(sid, body)
        except cds.RequestError as exc:
            raise error(400, str(exc)) from None
        if req.missing:
            await self.fetch_prefetch(req)
        base = self.public(request)
        try:
            answer = cds.answer(req, self.kb, max_medications=self.settings.max_medications,
                                existing_findings=self.settings.existing_findings, rule_url=lambda rid: f"{base}/rules/{rid}",
                                memo=self.rule_texts)
        except cds.RequestError as exc:
            raise error(400, str(exc)) from None
        return json_response(answer)

    async def fetch_prefetch(self, req: cds.HookRequest) -> None:
        """Fill the prefetch keys the client did not send from its FHIR server; say what could not be had."""
        if not req.fhir_server:
            for key in req.missing:
                req.problems[key] = "not in the prefetch, and no fhirServer to fetch it from"
            return
        s = self.settings
        for key in req.missing:
            query = fill_template(cds.PREFETCH[key], req.context)
            if query is None:
                req.problems[key] = "not in the prefetch, and context.patientId is missing to fetch it"
                continue
            try:
                with anyio.fail_after(s.fhir_timeout * (s.fhir_max_pages + 1)):
                    req.prefetch[key] = await run_in_threadpool(fetch, req.fhir_server, query, req.token, s.fhir_timeout, s.fhir_max_bytes, s.fhir_max_pages)
            except FhirError as exc:
                req.problems[key] = str(exc)
            except TimeoutError:
                req.problems[key] = f"the FHIR server did not answer {query} in time"

    async def feedback(self, request: Request) -> Response:
        sid, body = await self.service_call(request)
        if not isinstance(body, dict) or not isinstance(body.get("feedback"), list):
            raise error(400, "feedback must be an object with a 'feedback' list")
        for item in body["feedback"]:
            log.info("feedback %s %s", sid, _COMPACT(item))
        return json_response({})

    # -- JSON API ----------------------------------------------------------------------------

    async def check(self, request: Request) -> Response:
        await self.authorize(request)
        body = await self.json_body(request)
        if not isinstance(body, dict):
            raise error(400, 'expected a JSON object {"medications": [...], "age": N}')
        unknown = sorted(set(body) - CHECK_KEYS)
        if unknown:
            raise error(400, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(CHECK_KEYS))})")
        rec = record({k: body[k] for k in ("medications", "age") if k in body}, 1)
        if rec.error:
            raise error(400, rec.error)
        if len(rec.meds) > self.settings.max_medications:
            raise error(400, f"{len(rec.meds)} medications in one list; the limit is {self.settings.max_medications}")
        floor = body.get("min_severity", "minor")
        if floor not in SEVERITIES:
            raise error(400, f"min_severity must be one of {', '.join(SEVERITIES)}")
        enc = self.documents.get(floor)
        if enc is None:
            enc = self.documents[floor] = DocumentEncoder(self.kb, floor)
        body = enc.encode(check(rec.meds, self.kb, age=rec.age), None, None)
        return Response(body.encode("utf-8"), 200, media_type="application/json")

    async def batch(self, request: Request) -> Response:
        await self.authorize(request)
        limit = self.settings.max_batch_body
        cl = request.headers.get("content-length")
        if cl is not None and cl.isdigit() and int(cl) > limit:
            raise error(413, f"request body over {limit} bytes")
        return _LinesResponse(self, limit)

    async def batch_lines(self, receive: Any, limit: int):
        """Output lines as input lines arrive; a body cut short by a limit or a stall ends with an error entry."""
        n, size, rest = 0, 0, b""
        while True:
            try:
                with anyio.fail_after(self.settings.read_timeout):
                    message = await receive()
            except TimeoutError:
                yield DUMPS(error_document(None, n + 1, f"request body stalled for {self.settings.read_timeout:g} s: lines from {n + 1} on were not read")) + "\n"
                return
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                yield DUMPS(error_document(None, n + 1, f"request body over {limit} bytes: lines from {n + 1} on were not read")) + "\n"
                return
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            out = []
            for line in lines:
                n += 1
                out.append(self._batch_line(line, n))
            if out:
                yield "".join(out)
            if not message.get("more_body", False):
                break
            await anyio.sleep(0)  # let other requests in between chunks
        if rest.strip():
            yield self._batch_line(rest, n + 1)

    def _batch_line(self, raw: bytes, n: int) -> str:
        try:
            text = raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError:
            return DUMPS(error_document(None, n, "not valid UTF-8")) + "\n"
        if not text.strip():
            return ""
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return DUMPS(error_document(None, n, json_problem(exc))) + "\n"
        rec = record(obj, n)
        if not rec.error and len(rec.meds) > self.settings.max_medications:
            rec.error = f"{len(rec.meds)} medications in one list; the limit is {self.settings.max_medications}"
        if rec.error:
            return DUMPS(error_document(rec.id, n, rec.error)) + "\n"
        return self.encoder.encode(check(rec.meds, self.kb, age=rec.age), rec.id, n)

    async def health(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    async def info_endpoint(self, request: Request) -> Response:
        return json_response(self.info, sort=True)

    async def rule(self, request: Request) -> Response:
        from ..describe import describe_rule

        rid = request.path_params["rule"]
        if rid not in self.kb.rules and rid not in self.kb.disabled:
            raise error(404, f"no rule {rid!r}")
        return json_response(describe_rule(rid, self.kb), sort=True)


class DocumentEncoder(Encoder):
    """The batch encoder's fast path (pieces serialised once), for the single check's document without id and line:
    the same bytes as json.dumps(document(...), sort_keys=True, separators=(",", ":"), ensure_ascii=False)."""

    def __init__(self, kb: Any, min_severity: str = "minor") -> None:
        super().__init__(kb, min_severity)
        doc = document(CheckResult([], [], [], [], [], None), kb, min_severity)
        names = ("findings", "medications", "patient", "skipped_rules", "summary", "unrecognized")
        for n in names:
            doc[n] = _slot(n)
        self._doc = template(doc, names)


class _LinesResponse(Response):
    """JSON Lines written while the request body is still being read (a StreamingResponse would race for it)."""

    def __init__(self, svc: Service, limit: int) -> None:
        self.svc, self.limit = svc, limit
        self.status_code = 200
        self.background = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/x-ndjson; charset=utf-8")]})
        try:
            async for text in self.svc.batch_lines(receive, self.limit):
                if text:
                    await send({"type": "http.response.body", "body": text.encode("utf-8"), "more_body": True})
        except Exception:  # noqa: BLE001 - the status is sent: end the stream with an error entry, log the rest
            log.exception("internal error in /batch")
            await send({"type": "http.response.body", "body": (DUMPS(error_document(None, None, "internal error: the rest of the input was not checked (logged on the server)")) + "\n").encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    resp = json_response({"error": exc.detail}, exc.status_code)
    if exc.headers:
        resp.headers.update(exc.headers)
    return resp


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return json_response({"error": f"internal error: {type(exc).__name__} (logged on the server; this is a bug in check-meds)"}, 500)


def build(settings: Settings, kb: Any, verifier: Any = None) -> Starlette:
    svc = Service(settings, kb, verifier)
    routes = [
        Route("/cds-services", svc.discovery, methods=["GET"]),
        Route("/cds-services/{service}", svc.hook, methods=["POST"]),
        Route("/cds-services/{service}/feedback", svc.feedback, methods=["POST"]),
        Route("/check", svc.check, methods=["POST"]),
        Route("/batch", svc.batch, methods=["POST"]),
        Route("/health", svc.health, methods=["GET"]),
        Route("/info", svc.info_endpoint, methods=["GET"]),
        Route("/rules/{rule}", svc.rule, methods=["GET"]),
    ]
    middleware = []
    if settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                                     allow_headers=["Authorization", "Content-Type"]))
    return Starlette(routes=routes, middleware=middleware,
                     exception_handlers={HTTPException: _http_error, Exception: _internal_error})


def create_app() -> Starlette:
    """The factory each worker process calls (uvicorn --factory): settings from the environment, the knowledge base loaded once."""
    from ..kb import load_knowledge_base

    settings = Settings.from_env()
    kb = load_knowledge_base(settings.rules)
    return build(settings, kb, make_verifier(settings))


def make_verifier(settings: Settings) -> Any:
    if not settings.auth_enabled:
        return None
    from .auth import Verifier

    return Verifier(settings.jwks_file, settings.jwks_url, settings.issuers, settings.audiences)
