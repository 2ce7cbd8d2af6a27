"""`tawasul` entry point: each subcommand lives in the module that owns it (`module` or `module:function`)
and parses its own argv."""

from __future__ import annotations

import importlib
import logging
import os
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "chat": ("bot.chat", "Talk to the bot on the console (--json for the machine contract)"),
    "db": ("storage.cli", "Database: upgrade to the current schema"),
    "nlu": ("nlu.cli", "The Rasa NLU server: serve, train, predict, eval, bench"),
    "serve": ("bot.app", "The web service: webhooks, /healthz, staff console, outbox worker"),
    "staff": ("bot.staff.cli", "Staff actions from the command line"),
    "privacy": ("bot.staff.retention", "Personal data: retention [--dry-run] (each association's policy)"),
    "orgs": ("bot.orgcheck", "Association profiles: check each promise against its policy source"),
    "telegram": ("bot.app:telegram_main", "Telegram: set-webhook, poll"),
    "bench": ("bot.bench.run", "Load benchmark through the webhooks"),
    "probe": ("bot.bench.probe", "What the bot does with each message of a set; `probe chat`: conversation probes (real NLU)"),
}


def _usage() -> str:
    lines = ["usage: tawasul COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Files the service creates (the SQLite database, media, exports) hold personal data: owner only.
    os.umask(0o077)
    logging.basicConfig(
        level=os.environ.get("TAWASUL_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from storage.db import install_log_filter

    install_log_filter()  # database errors never put personal data in the log
    # HTTP client libraries log every request at INFO, with URLs that can carry a bot token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"tawasul: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module, _, function = COMMANDS[name][0].partition(":")
    code = getattr(importlib.import_module(module), function or "main")(rest)
    return int(code or 0)


if __name__ == "__main__":
    raise SystemExit(main())
