"""Start the service: check the settings, load the knowledge base (so bad rule files fail here, as on the
command line), then hand over to uvicorn, with one process or several."""

from __future__ import annotations

import os
import sys

from ..errors import CheckMedsError
from ..exitcodes import ExitCode
from .settings import ENV, Settings

APP_FACTORY = "interactions.server.app:create_app"


def serve(settings: Settings) -> int:
    problem = settings.problem()
    if problem:
        raise CheckMedsError(problem, ExitCode.USAGE)
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:  # pragma: no cover - the extra is missing
        raise CheckMedsError('the server needs the "server" extra: pip install "check-meds[server]"', ExitCode.USAGE) from None
    from ..kb import load_knowledge_base
    from .app import build, make_verifier

    kb = load_knowledge_base(settings.rules)  # compiles and caches once, for every worker
    try:
        verifier = make_verifier(settings)
    except (OSError, ValueError) as exc:
        raise CheckMedsError(f"{settings.jwks_file}: cannot read the JWKS: {exc}", ExitCode.USAGE) from None
    except Exception as exc:  # noqa: BLE001 - PyJWT's key-set errors
        raise CheckMedsError(f"cannot use the JWKS: {exc}", ExitCode.USAGE) from None
    options = dict(
        host=settings.host, port=settings.port, access_log=settings.access_log, log_level="info",
        limit_concurrency=settings.limit_concurrency, timeout_keep_alive=5, timeout_graceful_shutdown=10,
        server_header=False,
    )
    auth = "JWT required" if verifier else "no authentication"
    sys.stderr.write(f"check-meds serve: {kb.info['name']} {kb.info['version']}, {settings.workers} worker(s), {auth}; "
                     f"CDS discovery at http://{_hostport(settings)}/cds-services\n")
    if settings.workers == 1:
        uvicorn.run(build(settings, kb, verifier), **options)
    else:
        os.environ[ENV] = settings.to_env()
        uvicorn.run(APP_FACTORY, factory=True, workers=settings.workers, **options)
    return 0


def _hostport(s: Settings) -> str:
    host = f"[{s.host}]" if ":" in s.host else s.host
    return f"{host}:{s.port}"
