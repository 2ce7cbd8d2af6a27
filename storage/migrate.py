"""Alembic driven from code, so `tawasul db upgrade` works from any directory."""

from __future__ import annotations

import logging
from pathlib import Path

# Alembic narrates every step at INFO, some at import; a chat or a test run only wants problems.
logging.getLogger("alembic").setLevel(logging.WARNING)

from alembic import command
from alembic.config import Config

from storage.db import database_url

HERE = Path(__file__).parent


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head", verbose: bool = False) -> None:
    logging.getLogger("alembic").setLevel(logging.INFO if verbose else logging.WARNING)
    command.upgrade(alembic_config(url), revision)


def revision(message: str, url: str | None = None) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)
