"""A real OpenID Connect issuer on 127.0.0.1 for tests: discovery, keys and a token endpoint
that checks the PKCE verifier, signing ID tokens with keys the test makes. What it puts in the
next token (claims, signing key) is set by the test, to play a misbehaving provider too."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey


class Issuer:
    """The issuer; ``authorize`` plays the user's browser at the provider."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "good"}, private=True)
        self.rogue = RSAKey.generate_key(2048, parameters={"kid": "good"}, private=True)
        self.codes: dict[str, dict[str, str]] = {}
        self.overrides: dict[str, Any] = {}
        self.sign_with_rogue = False
        self.amr: list[str] = ["pwd", "otp"]
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Issuer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def authorize(self, url: str, subject: str, username: str) -> tuple[str, str]:
        """The (code, state) the provider sends back after the user logs in."""
        query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        assert query["code_challenge_method"] == "S256"
        code = f"code-{len(self.codes)}"
        self.codes[code] = {**query, "sub": subject, "username": username}
        return code, query["state"]

    def _token(self, code: str, verifier: str, client_id: str) -> dict[str, Any]:
        asked = self.codes.pop(code)
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenge != asked["code_challenge"] or client_id != asked["client_id"]:
            return {"error": "invalid_grant"}
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": client_id,
            "sub": asked["sub"],
            "preferred_username": asked["username"],
            "nonce": asked["nonce"],
            "iat": now,
            "exp": now + 300,
            "amr": self.amr,
            **self.overrides,
        }
        key = self.rogue if self.sign_with_rogue else self.key
        return {
            "id_token": jwt.encode({"alg": "RS256", "kid": "good"}, claims, key),
            "token_type": "Bearer",
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._send(
                        200,
                        {
                            "issuer": issuer.url,
                            "authorization_endpoint": f"{issuer.url}/authorize",
                            "token_endpoint": f"{issuer.url}/token",
                            "jwks_uri": f"{issuer.url}/jwks",
                        },
                    )
                elif self.path == "/jwks":
                    self._send(200, {"keys": [issuer.key.as_dict(private=False)]})
                else:
                    self._send(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path != "/token" or form.get("code") not in issuer.codes:
                    self._send(400, {"error": "invalid_grant"})
                    return
                answer = issuer._token(
                    form["code"], form.get("code_verifier", ""), form.get("client_id", "")
                )
                self._send(400 if "error" in answer else 200, answer)

        return Handler
