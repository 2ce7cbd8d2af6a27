"""Reference numbers: `ESR-4827-19356` = the association's prefix, 8 random digits, a Luhn check digit.

Digits are drawn from `secrets` (unguessable); tests pass a seeded `random.Random`. Uniqueness is
the database's job (a unique column); a collision rolls the turn back and it runs again.
"""

from __future__ import annotations

import random
import secrets

from nlu.entities import format_reference


def new_reference(prefix: str, rng: random.Random | None = None) -> str:
    digits = (str(rng.randrange(10)) if rng else str(secrets.randbelow(10)) for _ in range(8))
    return format_reference(prefix, "".join(digits))
