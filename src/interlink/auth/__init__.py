"""Authentication building blocks: password hashing, second factors, secret tokens, lockout
policy and OpenID Connect checks. Pure or CPU-only; the store and HTTP are adapters."""
