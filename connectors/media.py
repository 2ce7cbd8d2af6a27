"""Downloading a media file a user sent, with a type allow-list and a size limit.

The body is streamed and the download stops as soon as it passes `max_bytes`, whatever the
Content-Length claims. `MediaRefused` when the file is refused (type, size, HTTP error).

    download(client, "https://api.twilio.com/2010-04-01/Accounts/AC.../Media/ME...",
             dest_stem=Path("data/media/whatsapp/SM1_0"), max_bytes=5_000_000,
             allowed={"image/jpeg"}, declared_type="image/jpeg")  -> ("data/media/whatsapp/SM1_0.jpg", 48213)
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import httpx

from bot.errors import MediaRefused


def base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def download(
    client: httpx.Client,
    url: str,
    *,
    dest_stem: Path,
    max_bytes: int,
    allowed: frozenset[str] | set[str],
    declared_type: str,
) -> tuple[str, int]:
    """Save the file at `url` next to `dest_stem` (extension from the type); (path, size)."""
    if base_type(declared_type) not in allowed:
        raise MediaRefused(f"media type {base_type(declared_type)!r} is not accepted", reason="type")
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise MediaRefused(f"media download failed with HTTP {response.status_code}", reason="failed")
            ctype = base_type(response.headers.get("content-type", declared_type))
            if ctype not in allowed:
                raise MediaRefused(f"media type {ctype!r} is not accepted", reason="type")
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise MediaRefused(f"media of {declared} bytes is over the {max_bytes}-byte limit", reason="size")
            ext = mimetypes.guess_extension(ctype) or ".bin"
            path = dest_stem.with_name(dest_stem.name + ext)
            path.parent.mkdir(parents=True, exist_ok=True)
            size = 0
            tmp = path.with_name(path.name + ".part")
            with tmp.open("wb") as out:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaRefused(f"media is over the {max_bytes}-byte limit", reason="size")
                    out.write(chunk)
            tmp.replace(path)
    except httpx.HTTPError as exc:
        raise MediaRefused(f"media download failed ({type(exc).__name__})", reason="failed") from None
    finally:
        for leftover in dest_stem.parent.glob(dest_stem.name + "*.part"):
            leftover.unlink(missing_ok=True)
    return str(path), size
