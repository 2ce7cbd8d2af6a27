"""`tawasul nlu ...` commands: serve, train, predict, eval, bench.

The app's CLI hands `tawasul nlu <args>` to `main(args)`. Commands that need a server use `NLU_URL`
when it is set; otherwise they start one (training the model first if it is missing or stale) and
stop it at exit.

    echo "وش صار على طلبي" | tawasul nlu predict
    {"text": "وش صار على طلبي", "intent": "check_status", "confidence": 0.93, "language": "ar", "entities": []}
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator

from nlu import paths
from nlu.auth import TOKEN_ENV, client_token, server_token

__all__ = ["main"]


@contextlib.contextmanager
def _server_url() -> Iterator[str]:
    """NLU_URL if set, else a server of our own for the duration of the command."""
    url = os.environ.get("NLU_URL")
    if url:
        yield url.rstrip("/")
        return
    from nlu.server import running_server
    from nlu.train import train

    train()
    with running_server() as own:
        yield own


def _serve(args: argparse.Namespace) -> int:
    from nlu.server import serve_command
    from nlu.train import train

    train()
    given = bool(client_token())
    cmd = serve_command(paths.MODEL, args.port, args.host, server_token())
    print(f"NLU server on http://{args.host}:{args.port} (POST /model/parse)", file=sys.stderr, flush=True)
    if not given:  # made for this start: the bot's processes need it to call this server
        print(f"its API token (set it as {TOKEN_ENV} where NLU_URL points here): {server_token()}",
              file=sys.stderr, flush=True)
    os.execve(cmd[0], cmd, paths.rasa_env())
    return 0  # not reached


def _train(args: argparse.Namespace) -> int:
    from nlu.train import main as train_main

    return train_main(["--force"] if args.force else [])


def _predict(args: argparse.Namespace) -> int:
    from nlu.client import NLUClient

    with _server_url() as url, NLUClient(url, timeout=args.timeout) as client:
        for line in sys.stdin:
            text = line.rstrip("\r\n")
            result = client.parse(text)
            print(json.dumps(result.as_predict_json(), ensure_ascii=False), flush=True)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from nlu.client import CONFIDENCE_THRESHOLD, NLUClient
    from nlu.evaluate import (
        evaluate,
        format_report,
        format_robustness,
        load_examples,
        load_heldout,
        robustness_of,
    )

    with _server_url() as url, NLUClient(url, timeout=30.0) as client:

        def classify(text: str) -> tuple[str | None, float]:
            r = client.parse(text)
            return r.intent, r.confidence

        report = evaluate(load_heldout(), classify)
        print("== held-out set (nlu/tests/heldout.yml) ==")
        print(format_report(report, show_errors=not args.quiet))
        sets = [("robustness set", paths.ROBUSTNESS)]
        if args.blind:
            sets.append(("blind set", paths.BLIND))
        for title, path in sets:
            print()
            if not path.exists():
                print(f"== {title}: {path.relative_to(paths.REPO)} not found ==")
                continue
            print(f"== {title} ({path.relative_to(paths.REPO)}) ==")
            robust = evaluate(load_examples(path), classify)
            print(format_robustness(robustness_of(robust.predictions, CONFIDENCE_THRESHOLD),
                                    show_errors=not args.quiet))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from nlu.bench import run_bench
    from nlu.train import train

    if not os.environ.get("NLU_URL"):
        train()
    print(
        run_bench(
            os.environ.get("NLU_URL"),
            compare_stock=not args.no_stock,
            rounds=args.rounds,
            measure_training=not args.no_train,
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tawasul nlu", description="Tawasul's Rasa NLU service")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the Rasa NLU server (POST /model/parse)")
    p.add_argument("--port", type=int, default=5005)
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=_serve)
    p = sub.add_parser("train", help="train nlu/models/ if missing or stale")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=_train)
    p = sub.add_parser("predict", help="stdin lines -> one JSON object per line")
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(func=_predict)
    p = sub.add_parser("eval", help="scores on the held-out and robustness files")
    p.add_argument("--quiet", action="store_true", help="do not list each misclassified example")
    p.add_argument("--blind", action="store_true", help="also score nlu/tests/blind.yml (final check only)")
    p.set_defaults(func=_eval)
    p = sub.add_parser("bench", help="latency/throughput, and project vs stock pipeline")
    p.add_argument("--no-stock", action="store_true", help="skip training the stock pipeline")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--no-train", action="store_true", help="skip timing a training of the project pipeline")
    p.set_defaults(func=_bench)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
