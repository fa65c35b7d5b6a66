"""What ``check-meds serve`` is configured with; passed to worker processes as JSON in the environment."""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass, field

ENV = "CHECK_MEDS_SERVER_SETTINGS"
LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8420
    workers: int = 1
    rules: list[str] = field(default_factory=list)  # site rule directories, in load order (config, env, --rules)
    jwks_file: str | None = None
    jwks_url: str | None = None
    issuers: list[str] = field(default_factory=list)  # allowed JWT issuers
    audiences: list[str] = field(default_factory=list)  # accepted 'aud' values; empty: the URL that was called
    insecure_no_auth: bool = False
    max_body: int = 1024 * 1024  # bytes, every JSON endpoint but /batch
    max_batch_body: int = 64 * 1024 * 1024  # bytes, /batch
    max_medications: int = 1000  # per list
    read_timeout: float = 10.0  # seconds to receive a request body
    fhir_timeout: float = 5.0  # seconds for each request to a FHIR server
    fhir_max_bytes: int = 8 * 1024 * 1024  # per FHIR response
    fhir_max_pages: int = 5  # of one FHIR search
    existing_findings: bool = False  # CDS cards also for findings among existing medications only
    limit_concurrency: int = 256  # connections and tasks; more get 503
    access_log: bool = False
    cors_origins: list[str] = field(default_factory=list)  # browser origins allowed (a CDS Hooks sandbox)
    public_url: str | None = None  # base URL the service is reached at, for links to rules; default: the request's

    @property
    def auth_enabled(self) -> bool:
        return bool(self.jwks_file or self.jwks_url)

    def problem(self) -> str | None:
        """Why these settings must not start a server, or None."""
        if self.auth_enabled and not self.issuers:
            return "--jwks-file/--jwks-url need at least one --jwt-issuer (the CDS clients whose tokens are accepted)"
        if self.jwks_file and self.jwks_url:
            return "give --jwks-file or --jwks-url, not both"
        if not self.auth_enabled and not self.insecure_no_auth and not is_loopback(self.host):
            return (f"refusing to listen on {self.host} without authentication: configure --jwks-file or --jwks-url "
                    "with --jwt-issuer, or pass --insecure-no-auth explicitly")
        if self.workers < 1:
            return "--workers must be at least 1"
        return None

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> "Settings":
        raw = os.environ.get(ENV)
        return cls(**json.loads(raw)) if raw else cls()


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
