"""Encryption at rest of the most sensitive personal data (review item 14): ID numbers, diagnoses and free
texts inside request data and conversation state, and the text of every message in and out (where the
beneficiary typed them, and the summary read them back). Values are sealed with Fernet (AES-128-CBC + HMAC-SHA256) as ``enc1:<token>``;
an ID number is also kept as a keyed hash (HMAC-SHA256) so a request can still be found by it.

Keys (``TAWASUL_DATA_KEY``): comma-separated Fernet keys, newest first. The newest seals, every one opens,
so a key is rotated by putting a new one in front and running ``tawasul db rotate-key`` (every sealed
value and hash is rewritten under the new key), after which the old one may be dropped. Without
``TAWASUL_DATA_KEY`` the key is derived from ``TAWASUL_SECRET_KEY``; without either (development) a key is
made once in ``$TAWASUL_DATA_DIR/data.key`` (mode 0600), with a warning.

    >>> sealed = seal_tree({"national_id": "1012345678", "city": "الأحساء"})   # doctest: +SKIP
    {'national_id': 'enc1:gAAAAAB…', 'city': 'الأحساء'}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

log = logging.getLogger("tawasul.sealed")
PREFIX = "enc1:"
SEALED_KEYS = frozenset({"national_id", "passport_number", "diagnosis", "details"})
ID_KEYS = ("national_id", "passport_number")


class DataKeyError(RuntimeError):
    """TAWASUL_DATA_KEY is malformed, or a sealed value opens with none of the keys."""


def _derived(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(b"tawasul-data-key|" + secret.encode()).digest())


def _development_key() -> bytes:
    path = Path(os.environ.get("TAWASUL_DATA_DIR", "data")) / "data.key"
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under another name, then linked into place: a process starting at the same moment
    # either finds no key (and makes its own, which loses the race) or the whole one, never half.
    draft = path.with_name(f".data.key.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(Fernet.generate_key())
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    log.warning("no TAWASUL_DATA_KEY or TAWASUL_SECRET_KEY: personal data is sealed with a development key "
                "kept in %s; set TAWASUL_DATA_KEY in production", path)
    return path.read_bytes().strip()


@cache
def keys() -> tuple[bytes, ...]:
    """The data keys, newest first."""
    given = [k.strip() for k in os.environ.get("TAWASUL_DATA_KEY", "").split(",") if k.strip()]
    if given:
        for key in given:
            try:
                Fernet(key)
            except ValueError as exc:
                raise DataKeyError("TAWASUL_DATA_KEY: each key must be a Fernet key (32 bytes, url-safe "
                                   "base64); make one with `tawasul db new-key`") from exc
        return tuple(k.encode() for k in given)
    secret = os.environ.get("TAWASUL_SECRET_KEY", "")
    return (_derived(secret),) if secret else (_development_key(),)


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys()])


def reset() -> None:
    """Forget the keys read from the environment (tests, and rotate-key after a change)."""
    keys.cache_clear()
    _fernet.cache_clear()


def seal(text: str) -> str:
    if not text or text.startswith(PREFIX):
        return text
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def unseal(text: str) -> str:
    if not isinstance(text, str) or not text.startswith(PREFIX):
        return text  # written before sealing (until the migration has run), or nothing to open
    try:
        return _fernet().decrypt(text[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise DataKeyError("a sealed value opens with none of the keys in TAWASUL_DATA_KEY") from exc


def reseal(text: str) -> str:
    """Sealed under the newest key (plain text is sealed; a value under an older key is rotated)."""
    if isinstance(text, str) and text.startswith(PREFIX):
        return PREFIX + _fernet().rotate(text[len(PREFIX):].encode()).decode()
    return seal(text) if isinstance(text, str) else text


def _tree(value: Any, leaf: Any) -> Any:
    if isinstance(value, dict):
        return {k: (leaf(v) if k in SEALED_KEYS and isinstance(v, str) else _tree(v, leaf)) for k, v in value.items()}
    if isinstance(value, list):
        return [_tree(v, leaf) for v in value]
    return value


def seal_tree(value: Any) -> Any:
    """A JSON document with the values of SEALED_KEYS sealed, at any depth."""
    return _tree(value, seal)


def unseal_tree(value: Any) -> Any:
    return _tree(value, unseal)


def reseal_tree(value: Any) -> Any:
    return _tree(value, reseal)


def _hash_key(key: bytes) -> bytes:
    return hashlib.sha256(b"tawasul-id-hash|" + key).digest()


def _normalised(id_number: str) -> str:
    return "".join(id_number.split()).upper()


def id_hash(id_number: str) -> str:
    """The keyed hash an ID number is found by (under the newest key)."""
    return hmac.new(_hash_key(keys()[0]), _normalised(id_number).encode(), hashlib.sha256).hexdigest()


def id_hashes(id_number: str) -> list[str]:
    """Its hash under every key: a search finds rows not yet rotated to the newest key too."""
    return [hmac.new(_hash_key(k), _normalised(id_number).encode(), hashlib.sha256).hexdigest() for k in keys()]


def id_hash_of(data: dict[str, Any] | None) -> str | None:
    """The hash of the (plain) ID number in request data, if any."""
    for key in ID_KEYS:
        value = unseal((data or {}).get(key) or "")
        if isinstance(value, str) and value:
            return id_hash(value)
    return None


NAME_KEYS = ("full_name", "name")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None,
                              **{chr(c): None for c in range(0x064B, 0x0653)}})  # hamzas, ta marbuta, tashkeel


def _normalised_name(name: str) -> str:
    """A name as typed in several ways (أحمد / احمد, spaces, case, diacritics) folds to one form."""
    return " ".join(name.translate(_ARABIC_FOLD).casefold().split())


def name_hash(name: str) -> str:
    """The keyed hash a person's name is found by (under the newest key); never the name itself."""
    return hmac.new(_hash_key(keys()[0]), b"name|" + _normalised_name(name).encode(), hashlib.sha256).hexdigest()


def name_hashes(name: str) -> list[str]:
    return [hmac.new(_hash_key(k), b"name|" + _normalised_name(name).encode(), hashlib.sha256).hexdigest()
            for k in keys()]


def name_hash_of(data: dict[str, Any] | None) -> str | None:
    """The hash of the (plain) full name in request data, if any."""
    for key in NAME_KEYS:
        value = unseal((data or {}).get(key) or "")
        if isinstance(value, str) and value.strip():
            return name_hash(value)
    return None


class SealedJSON(TypeDecorator[Any]):
    """A JSON column whose sensitive values (SEALED_KEYS) are sealed in the database, open in Python."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return seal_tree(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return unseal_tree(value)


class SealedText(TypeDecorator[str]):
    """A text column sealed whole in the database ("" stays "", so an empty text can still be asked for)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return seal(value) if value else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return unseal(value) if value else value
