"""JWT bearer tokens of CDS clients (CDS Hooks 2.0: RS384 or ES384, signed by a configured issuer).

Keys come from a JWKS file or URL named at start-up; a token's own ``jku``
header is never followed. ``aud`` must be the URL the client called (or one
of the configured audiences), and ``exp``, ``iat`` and ``jti`` are required.
"""

from __future__ import annotations

import json
from typing import Any

import jwt

ALGORITHMS = ["RS384", "ES384"]
LEEWAY = 30  # seconds of clock skew allowed


class AuthError(Exception):
    """A request without an acceptable token: answered 401 with this one-line reason."""


class Verifier:
    def __init__(self, jwks_file: str | None, jwks_url: str | None, issuers: list[str], audiences: list[str]) -> None:
        self.issuers = list(issuers)
        self.audiences = list(audiences)
        self._set: jwt.PyJWKSet | None = None
        self._client: jwt.PyJWKClient | None = None
        if jwks_file:
            with open(jwks_file, encoding="utf-8") as fh:
                self._set = jwt.PyJWKSet.from_dict(json.load(fh))
        elif jwks_url:
            self._client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)

    def verify(self, header: str | None, url: str) -> dict[str, Any]:
        """The token's claims, or AuthError. Blocking when keys come from a URL: run it in a thread."""
        if not header or not header.startswith("Bearer "):
            raise AuthError("a bearer token (Authorization: Bearer <JWT>) is required")
        token = header[7:].strip()
        try:
            head = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("the bearer token is not a JWT") from None
        if head.get("alg") not in ALGORITHMS:
            raise AuthError(f"JWT algorithm {head.get('alg')!r} not accepted (RS384 or ES384)")
        last: Exception | None = None
        for key in self._keys(token, head.get("kid")):
            try:
                return jwt.decode(
                    token, key, algorithms=ALGORITHMS, audience=self.audiences or [url], issuer=self.issuers,
                    leeway=LEEWAY, options={"require": ["iss", "aud", "exp", "iat", "jti"]},
                )
            except jwt.InvalidSignatureError as exc:  # another key of the set may have signed it
                last = exc
            except jwt.PyJWTError as exc:
                raise AuthError(f"JWT refused: {exc}") from None
        raise AuthError(f"JWT refused: {last}")

    def _keys(self, token: str, kid: Any) -> list[Any]:
        if self._client is not None:
            try:
                return [self._client.get_signing_key_from_jwt(token).key]
            except jwt.PyJWTError as exc:
                raise AuthError(f"JWT signing key not found: {exc}") from None
        assert self._set is not None
        keys = [k.key for k in self._set.keys if kid is None or k.key_id == kid]
        if not keys:
            raise AuthError(f"JWT signing key {kid!r} is not in the configured JWKS")
        return keys
