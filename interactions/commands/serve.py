"""check-meds serve: the CDS Hooks service and JSON API (registered by cli.build_app; needs the "server" extra)."""

from typing import Annotated, Optional

import typer

from .options import DISCLAIMER, RulesOpt

HELP = (
    "Serve CDS Hooks 2.0 (order-select, order-sign, medication-prescribe) and a JSON API (/check, /batch, /info, /health).\n\n"
    "Listens on 127.0.0.1 unless --host says otherwise; any other address needs JWT verification "
    "(--jwks-file or --jwks-url with --jwt-issuer) or an explicit --insecure-no-auth. "
    'Needs the server extra: pip install "check-meds\\[server]". See docs/cds-hooks.md.\n\n'
    f"{DISCLAIMER}"
)


def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8420,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes, each with the knowledge base loaded once.")] = 1,
    rules: RulesOpt = None,
    jwks_file: Annotated[Optional[str], typer.Option("--jwks-file", metavar="FILE", help="JWKS (JSON) of the keys CDS clients sign their JWTs with.")] = None,
    jwks_url: Annotated[Optional[str], typer.Option("--jwks-url", metavar="URL", help="URL of that JWKS (fetched and cached).")] = None,
    issuers: Annotated[Optional[list[str]], typer.Option("--jwt-issuer", metavar="ISS", help="An accepted JWT issuer, the CDS client's 'iss' (repeatable).")] = None,
    audiences: Annotated[Optional[list[str]], typer.Option("--jwt-audience", metavar="URL", help="Accepted 'aud' (repeatable); default: the URL that was called.")] = None,
    insecure_no_auth: Annotated[bool, typer.Option("--insecure-no-auth", help="Listen on a non-loopback address without verifying tokens.")] = False,
    max_body: Annotated[int, typer.Option("--max-body", min=1024, metavar="BYTES", help="Largest request body (413 beyond); /batch has --max-batch-body.")] = 1024 * 1024,
    max_batch_body: Annotated[int, typer.Option("--max-batch-body", min=1024, metavar="BYTES", help="Largest /batch body.")] = 64 * 1024 * 1024,
    fhir_timeout: Annotated[float, typer.Option("--fhir-timeout", min=0.1, max=120, metavar="SECONDS", help="Timeout of each request to a client's FHIR server.")] = 5.0,
    existing_findings: Annotated[bool, typer.Option("--existing-findings/--draft-findings-only", help="CDS cards also for findings among the existing medications alone.")] = False,
    cors_origins: Annotated[Optional[list[str]], typer.Option("--cors-origin", metavar="ORIGIN", help="A browser origin allowed to call the service, e.g. a CDS Hooks sandbox (repeatable).")] = None,
    public_url: Annotated[Optional[str], typer.Option("--public-url", metavar="URL", help="Base URL clients reach the service at (links to rules, the JWT audience).")] = None,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log one line per request.")] = False,
) -> int:
    from interactions.cliutil import site_dirs
    from interactions.server.run import serve
    from interactions.server.settings import Settings

    return serve(Settings(
        host=host, port=port, workers=workers, rules=site_dirs(rules), jwks_file=jwks_file, jwks_url=jwks_url,
        issuers=list(issuers or []), audiences=list(audiences or []), insecure_no_auth=insecure_no_auth,
        max_body=max_body, max_batch_body=max_batch_body, fhir_timeout=fhir_timeout, existing_findings=existing_findings,
        cors_origins=list(cors_origins or []), public_url=public_url, access_log=access_log,
    ))
