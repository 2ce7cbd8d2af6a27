"""`tawasul orgs check`: every promise beside its policy source; a sentence stating more than its source fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import orgs
from bot.flows.promises import check, promises_of
from bot.orgcheck import main
from orgs import OrgProfile, all_orgs

BUILTIN = Path(orgs.__file__).parent
SLUGS = ("aleman", "alhuda", "baseera", "esrar", "namaa")


@pytest.fixture(autouse=True)
def _no_override_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAWASUL_ORGS_DIR", raising=False)


def _raw(slug: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((BUILTIN / f"{slug}.yaml").read_text(encoding="utf-8"))
    return data


def _run_file(tmp_path: Path, data: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / f"{data['slug']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code = main(["check", "--file", str(path)])
    return code, capsys.readouterr().out


def test_all_five_pass_and_every_promise_has_a_clause_or_an_assumption(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "source: NONE" not in out and "FAIL" not in out
    for slug, profile in all_orgs().items():
        assert f"{slug}: ok" in out
        for promise in promises_of(profile):
            assert promise.provenance is not None, (slug, promise.key)
            assert all(promise.sentences[lang] for lang in ("ar", "en", "ur", "id")), (slug, promise.key)
    # The printout shows each sentence per language and where it comes from.
    assert "source: ت Dealing with beneficiaries, item 6" in out
    assert "[at least]" in out and "assumptions awaiting esrar" in out


@pytest.mark.parametrize("slug", SLUGS)
def test_one_association(slug: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", slug]) == 0
    assert f"== {slug}:" in capsys.readouterr().out


def test_unknown_association(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "nope"]) == 2


def test_at_the_latest_on_an_at_least_clause_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _raw("baseera")
    data["deadline"]["text"]["ar"] = "يُرد عليك خلال 14 يومًا على الأكثر."
    data["deadline"]["text"]["en"] = "You will get a reply within 14 days at the latest."
    code, out = _run_file(tmp_path, data, capsys)
    assert code == 1
    assert "FAIL deadline [ar] a minimum period told as a last day" in out
    assert "FAIL deadline [en] a minimum period told as a last day" in out


def test_a_deadline_where_the_source_sets_a_minimum_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _raw("aleman")
    data["deadline"]["bound"] = "at_most"  # the old reading: "reply period 14 days, at the latest on ..."
    code, out = _run_file(tmp_path, data, capsys)
    assert code == 1
    assert "the profile's period is 'at_most' but its source states 'at_least'" in out
    assert "FAIL deadline [ar] a minimum period told as a last day" in out  # «وموعده الأقصى»


def test_a_period_where_the_source_states_none_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _raw("namaa")
    data["deadline"]["text"]["ar"] = "نبلغك بقبول طلبك أو رفضه خلال أسبوعين."
    code, out = _run_file(tmp_path, data, capsys)
    assert code == 1 and "a period where the source states none" in out


def test_a_named_committee_where_the_source_names_none_fails(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = _raw("baseera")
    data["complaint_route"] = {"name_committee": True, "top_management": True}
    code, out = _run_file(tmp_path, data, capsys)
    assert code == 1
    assert "names the 'follow_up' committee where its source names none" in out
    assert "says top management follows complaints; its source does not" in out
    # The same committee in an FAQ answer is caught in the sentence itself.
    data = _raw("alhuda")
    data["faq"] = [dict(f, answer={**f["answer"], "ar": "تتابع شكواك لجنة المتابعة."}) if f["id"] == "complaint"
                   else f for f in data["faq"]]
    code, out = _run_file(tmp_path, data, capsys)
    assert code == 1 and "names 'لجنة المتابعة', which its source does not" in out


def test_a_studying_body_the_clause_does_not_name_needs_an_assumption() -> None:
    data = _raw("aleman")
    data["promises"]["studying_body.medical_committee"]["source"][0]["names"] = ["research_committee"]
    findings = check(OrgProfile.model_validate(data))
    assert [f.key for f in findings] == ["studying_body.medical_committee"]


def test_a_promise_without_clause_or_assumption_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _raw("esrar")
    del data["promises"]["compensation"]
    code, out = _run_file(tmp_path, data, capsys)
    assert code == 1
    assert "source: NONE" in out and "FAIL compensation a promise without a policy clause" in out


def test_provenance_cannot_be_empty_or_point_nowhere() -> None:
    data = _raw("esrar")
    data["promises"]["hours"] = {}
    with pytest.raises(ValueError, match="clause or an explicit assumption"):
        OrgProfile.model_validate(data)
    data = _raw("esrar")
    data["promises"]["officer.nobody"] = {"assumption": {"note": "x", "question": "y"}}
    with pytest.raises(ValueError, match="unknown promises"):
        OrgProfile.model_validate(data)
