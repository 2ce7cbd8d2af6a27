"""Loading association profiles: the built-in YAML files beside this module, then staff overrides.

``TAWASUL_ORGS_DIR`` (optional) names a directory of ``*.yaml`` files that staff may edit without a
deploy. A file whose ``slug`` (or file name) matches a built-in profile is merged over it: mappings
are merged key by key, anything else (lists included) replaces the built-in value, so a file holding
only ``slug`` and ``hours`` changes the hours alone. A file with a new slug must be a full profile.

Results are cached; the cache key includes the override files' modification times, so an edit is
picked up on the next call without a restart. A broken override file is logged and skipped (the
built-in profile keeps serving); a broken built-in profile is our bug and raises.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from orgs.schema import OrgProfile

log = logging.getLogger(__name__)

BUILTIN_DIR = Path(__file__).resolve().parent
ENV_DIR = "TAWASUL_ORGS_DIR"


class OrgNotFound(LookupError):
    """No profile has this slug."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"no association profile with slug {slug!r}")
        self.slug = slug


class OrgProfileError(ValueError):
    """A profile file cannot be read or does not validate."""


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise OrgProfileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise OrgProfileError(f"{path}: a profile is a mapping at the top level")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _validate(data: dict[str, Any], path: Path) -> OrgProfile:
    try:
        return OrgProfile.model_validate(data)
    except ValidationError as exc:
        raise OrgProfileError(f"{path}: {exc}") from exc


def _builtin_raw() -> dict[str, tuple[Path, dict[str, Any]]]:
    raw: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        data = _read_yaml(path)
        slug = data.get("slug", path.stem)
        if slug != path.stem:
            raise OrgProfileError(f"{path}: slug {slug!r} differs from the file name")
        raw[slug] = (path, data)
    return raw


def _override_files(directory: str | None) -> tuple[tuple[str, int], ...]:
    if not directory:
        return ()
    root = Path(directory)
    if not root.is_dir():
        log.warning("%s=%s is not a directory; no profile overrides loaded", ENV_DIR, directory)
        return ()
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
    return tuple((str(p), p.stat().st_mtime_ns) for p in files)


@functools.lru_cache(maxsize=8)
def _load(overrides: tuple[tuple[str, int], ...]) -> dict[str, OrgProfile]:
    raw = _builtin_raw()
    profiles = {slug: _validate(data, path) for slug, (path, data) in raw.items()}
    _check_unique(profiles)
    seen_override: dict[str, str] = {}
    for name, _mtime in overrides:
        path = Path(name)
        try:
            data = _read_yaml(path)
            slug = str(data.get("slug", path.stem))
            if slug in seen_override:
                raise OrgProfileError(f"{path}: slug {slug!r} already overridden by {seen_override[slug]}")
            base = raw[slug][1] if slug in raw else {}
            candidate = {**profiles, slug: _validate(_merge(base, {**data, "slug": slug}), path)}
            _check_unique(candidate)
        except OrgProfileError:
            log.exception("ignoring profile override %s", path)
            continue
        profiles = candidate
        seen_override[slug] = name
    return profiles


def _check_unique(profiles: dict[str, OrgProfile]) -> None:
    """Reference prefixes and channel addresses identify an association, so no two may share one."""
    owners: dict[tuple[str, str], str] = {}
    for slug, profile in profiles.items():
        keys = [("reference_prefix", profile.reference_prefix)]
        keys += [
            (ch, addr)
            for ch, addr in profile.channels.model_dump().items()
            if addr and ch in ("whatsapp", "sms", "telegram")
        ]
        for key in keys:
            if key in owners:
                raise OrgProfileError(f"{key[0]} {key[1]!r} is used by both {owners[key]} and {slug}")
            owners[key] = slug


def all_orgs() -> dict[str, OrgProfile]:
    """Every association profile by slug (built-in ones, then overrides from ``TAWASUL_ORGS_DIR``)."""
    return dict(_load(_override_files(os.environ.get(ENV_DIR))))


def load_org(slug: str) -> OrgProfile:
    """The profile of one association; raises ``OrgNotFound``."""
    try:
        return _load(_override_files(os.environ.get(ENV_DIR)))[slug]
    except KeyError:
        raise OrgNotFound(slug) from None


def clear_cache() -> None:
    _load.cache_clear()
    _WITH_OVERRIDE.clear()


# What an association's manager may edit from the staff console; the rest (deadline, committees,
# complaint route, reference prefix, the channels that route messages) is policy or routing, changed
# by a reviewed edit of the YAML seed.
EDITABLE: frozenset[str] = frozenset(
    {"faq", "hours", "contact_officers", "channels", "locations", "services", "ready_replies", "promises"}
)
REPLACED: frozenset[str] = frozenset({"hours"})
EDITABLE_CHANNELS: frozenset[str] = frozenset({"phone", "email", "website"})
_WITH_OVERRIDE: dict[tuple[str, int, str, tuple[tuple[str, int], ...]], OrgProfile] = {}


def merge_override(slug: str, override: dict[str, Any]) -> OrgProfile:
    """The profile of ``slug`` with a staff edit merged over it (mappings key by key, lists replaced).

    Raises ``OrgProfileError`` on a key managers may not edit or a result that does not validate.
    """
    unknown = sorted(set(override) - EDITABLE)
    if unknown:
        raise OrgProfileError(f"not editable from the console: {', '.join(unknown)}")
    channels = override.get("channels") or {}
    if not isinstance(channels, dict) or set(channels) - EDITABLE_CHANNELS:
        raise OrgProfileError(f"only these channels are edited here: {', '.join(sorted(EDITABLE_CHANNELS))}")
    base = load_org(slug).model_dump(mode="json")
    # Texts are replaced whole: new hours in Arabic must not keep last year's English beside them.
    merged = {**_merge(base, override), **{k: override[k] for k in REPLACED if k in override}}
    return _validate(merged, Path(f"<console edit of {slug}>"))


def with_override(slug: str, override: dict[str, Any], version: int) -> OrgProfile:
    """``merge_override`` for the version the bot serves, cached per (slug, version, its content, seed files)."""
    # The content is part of the key: another database (a test's, a restored backup) may hold another
    # edit under the same version number.
    content = json.dumps(override, sort_keys=True, ensure_ascii=False, default=str)
    key = (slug, version, content, _override_files(os.environ.get(ENV_DIR)))
    found = _WITH_OVERRIDE.get(key)
    if found is None:
        if len(_WITH_OVERRIDE) > 64:
            _WITH_OVERRIDE.clear()
        found = _WITH_OVERRIDE[key] = merge_override(slug, override)
    return found
