import hashlib
import secrets


class HashedSecret:
    """A secret that travels in a link and is kept only as its SHA-256: a copy of the
    database, a backup or an admin page is not enough to use it."""

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def generate_secret() -> str:
        return secrets.token_urlsafe(32)
