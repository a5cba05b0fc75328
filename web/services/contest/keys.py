"""A site's Ed25519 signing key: made once on the site's board, kept in a file there (never in
the database, never in a package); the national board keeps each site's public key."""
from __future__ import annotations

import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEX_KEY = re.compile(r"^[0-9a-f]{64}$")


class KeyProblem(ValueError):
    pass


def key_path(keys_dir: Path, competition: str, site: str) -> Path:
    return Path(keys_dir) / f"{competition}-{site}.ed25519"


def generate(path: Path) -> str:
    """A new private key at `path` (owner-only), refusing to overwrite one; its public key as hex."""
    if path.exists():
        raise KeyProblem(f"{path} exists already: a site keeps one key (delete it on purpose to make another)")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return public_hex(key.public_key())


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KeyProblem(f"cannot read the site key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an Ed25519 key")
    return key


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def parse_public(text: str) -> Ed25519PublicKey:
    value = text.strip().lower()
    if not HEX_KEY.match(value):
        raise KeyProblem("a public key is 64 hex digits (what `practicum results keygen` printed)")
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))
