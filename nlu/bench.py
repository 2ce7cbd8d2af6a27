"""`tawasul nlu bench`: parse latency and throughput through the real server, and the project pipeline
side by side with Rasa's stock recommended pipeline (no custom component) trained on the same data.

Latency is measured from the client (HTTP round trip on 127.0.0.1, one request at a time, after a
warm-up); throughput both sequentially and with a few concurrent clients.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from nlu import paths
from nlu.auth import token_params
from nlu.evaluate import DIALECT_ROWS, Example, Report, evaluate, load_heldout
from nlu.server import running_server
from nlu.train import train_config

__all__ = ["Latency", "measure_latency", "run_bench", "score_with_server"]


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    max_ms: float
    sequential_per_s: float
    concurrent_per_s: float
    requests: int


def _top_intent(data: dict[str, object]) -> tuple[str | None, float]:
    """Top intent of a /model/parse answer; a FallbackClassifier's nlu_fallback is looked through."""
    ranking = data.get("intent_ranking") or []
    intent = data.get("intent") or {}
    assert isinstance(intent, dict) and isinstance(ranking, list)
    if intent.get("name") == "nlu_fallback":
        for item in ranking:
            if item.get("name") != "nlu_fallback":
                return item["name"], float(item["confidence"])
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def score_with_server(url: str, examples: list[Example]) -> Report:
    with httpx.Client(timeout=30.0) as http:
        return evaluate(
            examples, lambda t: _top_intent(http.post(f"{url}/model/parse", params=token_params(), json={"text": t}).json())
        )


def measure_latency(url: str, texts: list[str], rounds: int = 3, clients: int = 4) -> Latency:
    """Client-side latency percentiles and parses/second against a running server."""
    timings: list[float] = []
    with httpx.Client(timeout=30.0) as http:
        for text in texts[:20]:  # warm-up
            http.post(f"{url}/model/parse", params=token_params(), json={"text": text})
        start = time.perf_counter()
        for _ in range(rounds):
            for text in texts:
                t0 = time.perf_counter()
                http.post(f"{url}/model/parse", params=token_params(), json={"text": text}).raise_for_status()
                timings.append((time.perf_counter() - t0) * 1000)
        sequential = len(timings) / (time.perf_counter() - start)

    def worker(chunk: list[str]) -> None:
        with httpx.Client(timeout=30.0) as http:
            for text in chunk:
                http.post(f"{url}/model/parse", params=token_params(), json={"text": text})

    chunks = [texts[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    concurrent = len(texts) / (time.perf_counter() - start)
    timings.sort()
    return Latency(
        p50_ms=statistics.median(timings),
        p99_ms=timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        max_ms=timings[-1],
        sequential_per_s=sequential,
        concurrent_per_s=concurrent,
        requests=len(timings),
    )


def _rows(report: Report) -> dict[str, float]:
    rows = {f"variety {k}": a for k, (a, _) in report.by_variety.items()}
    dialect = [p.intent == p.example.intent for p in report.predictions if p.example.variety in DIALECT_ROWS]
    rows["dialects (gulf+egy+lev)"] = sum(dialect) / len(dialect) if dialect else 0.0
    rows["accuracy"] = report.accuracy
    rows["macro-F1"] = report.macro_f1
    return rows


def run_bench(
    url: str | None = None, compare_stock: bool = True, rounds: int = 3, measure_training: bool = True
) -> str:
    """Run the benchmark and return the printable table."""
    examples = load_heldout()
    texts = [e.text for e in examples]
    results: dict[str, tuple[Report, Latency, float]] = {}

    def bench_one(label: str, model: Path | None, server_url: str | None) -> None:
        t0 = time.perf_counter()
        if server_url:
            load_s = 0.0
            results[label] = (
                score_with_server(server_url, examples),
                measure_latency(server_url, texts, rounds),
                load_s,
            )
            return
        with running_server(model=model) as u:
            load_s = time.perf_counter() - t0
            results[label] = (score_with_server(u, examples), measure_latency(u, texts, rounds), load_s)

    bench_one("project", paths.MODEL, url)
    project_train_s = 0.0
    if measure_training:
        with tempfile.TemporaryDirectory(prefix="tawasul-train-bench-") as out:
            t0 = time.perf_counter()
            train_config(paths.CONFIG, Path(out), "project")
            project_train_s = time.perf_counter() - t0
    train_s = 0.0
    if compare_stock:
        with tempfile.TemporaryDirectory(prefix="tawasul-stock-") as out:
            t0 = time.perf_counter()
            stock_model = train_config(paths.STOCK_CONFIG, Path(out), "stock")
            train_s = time.perf_counter() - t0
            bench_one("stock", stock_model, None)
    return _format(results, train_s, project_train_s)


def _format(
    results: dict[str, tuple[Report, Latency, float]], stock_train_s: float, project_train_s: float = 0.0
) -> str:
    labels = list(results)
    lines = [f"{'row':<26}" + "".join(f"{label:>12}" for label in labels)]
    row_names = list(_rows(results[labels[0]][0]))
    for row in row_names:
        lines.append(f"{row:<26}" + "".join(f"{_rows(results[l][0]).get(row, 0.0):12.3f}" for l in labels))
    lat = {l: results[l][1] for l in labels}
    for name, attr, fmt in (
        ("parse p50 (ms)", "p50_ms", "{:12.1f}"),
        ("parse p99 (ms)", "p99_ms", "{:12.1f}"),
        ("parse max (ms)", "max_ms", "{:12.1f}"),
        ("parses/s, 1 client", "sequential_per_s", "{:12.0f}"),
        ("parses/s, 4 clients", "concurrent_per_s", "{:12.0f}"),
        ("requests timed", "requests", "{:12d}"),
    ):
        lines.append(f"{name:<26}" + "".join(fmt.format(getattr(lat[l], attr)) for l in labels))
    lines.append(f"{'server start+load (s)':<26}" + "".join(f"{results[l][2]:12.1f}" for l in labels))
    if project_train_s:
        lines.append(f"project pipeline training took {project_train_s:.0f} s")
    if stock_train_s:
        lines.append(f"stock pipeline training took {stock_train_s:.0f} s")
    project = results[labels[0]]
    lines.append(
        f"SUMMARY project: p99 {project[1].p99_ms:.1f} ms, ready {project[2]:.1f} s"
        + (f", training {project_train_s:.0f} s" if project_train_s else "")
        + " (targets: p99 <= 30 ms, ready <= 20 s, training <= 300 s)"
    )
    return "\n".join(lines)
