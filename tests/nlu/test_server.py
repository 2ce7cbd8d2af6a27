"""The real Rasa server: routing, entities with original offsets, and the `nlu predict` contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from nlu import paths
from nlu.auth import token_params
from nlu.client import NLUClient


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("السلاموووو عليكم", "greet", "ar"),
        ("وش صار على طلبي", "check_status", "ar"),
        ("ابغى اقدم على مساعدة", "request_service", "ar"),
        ("عايز اشتكي من الموظف", "file_complaint", "ar"),
        ("بدي احكي مع موظف", "human_handoff", "ar"),
        ("abgha a3raf wesh sar 3ala talabi", "check_status", "ar"),
        ("i want to volunteer", "volunteer", "en"),
        ("mujhe madad chahiye", "request_service", "ur"),
        ("میرا ڈیٹا حذف کریں", "privacy_request", "ur"),
        ("tolong darurat, saya tersesat", "urgent_help", "id"),
    ],
)
def test_routes(nlu_url: str, text: str, intent: str, language: str) -> None:
    with NLUClient(nlu_url, timeout=10.0) as client:
        result = client.parse(text)
    assert (result.intent, result.language) == (intent, language)
    assert result.ranking[0][0] == intent


def test_server_entities_keep_original_offsets(nlu_url: str) -> None:
    text = "السلاموووو عليكم، جوالي ٠٥٥ ١٢٣ ٤٥٦٧ وطلبي esr-1234-56782"
    data = httpx.post(f"{nlu_url}/model/parse", params=token_params(), json={"text": text}, timeout=10).json()
    found = {e["entity"]: e for e in data["entities"]}
    assert found["phone"]["value"] == "+966551234567"
    assert text[found["phone"]["start"] : found["phone"]["end"]] == "٠٥٥ ١٢٣ ٤٥٦٧"
    assert found["reference"]["value"] == "ESR-1234-56782"
    assert text[found["reference"]["start"] : found["reference"]["end"]] == "esr-1234-56782"
    assert data["text"] == text  # the normaliser never rewrites the message itself


def _predict(stdin: str, env: dict[str, str]) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "nlu.cli", "predict"],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=paths.REPO,
        timeout=300,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_predict_contract_with_nlu_url(nlu_url: str) -> None:
    lines = _predict(
        "وش صار على طلبي\nرقمي ٠٥٥١٢٣٤٥٦٧\n\nI want to file a complaint\n", {**os.environ, "NLU_URL": nlu_url}
    )
    assert len(lines) == 4  # one line out per line in, even an empty one
    for obj in lines:
        assert list(obj) == ["text", "intent", "confidence", "language", "entities"]
        for entity in obj["entities"]:  # type: ignore[union-attr]
            assert list(entity) == ["entity", "value"]
    assert lines[0]["intent"] == "check_status" and lines[0]["language"] == "ar"
    assert lines[1]["entities"] == [{"entity": "phone", "value": "+966551234567"}]
    assert lines[2] == {"text": "", "intent": None, "confidence": 0.0, "language": "other", "entities": []}
    assert lines[3]["intent"] == "file_complaint" and lines[3]["language"] == "en"


def test_predict_starts_its_own_server_without_nlu_url(nlu_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NLU_URL"}
    (line,) = _predict("شكرا جزيلا\n", env)
    assert line["intent"] == "thanks"
