"""The small recognisers behind the QA fixes: counts in words, pleas, privacy kinds, complaint openings,
applying for someone else."""

from __future__ import annotations

import pytest

from bot.flows.complaint_words import category_in, opening_details
from bot.flows.intake.applicant import relation_in
from bot.flows.moreinfo import leaves
from bot.flows.privacy import kind_in
from bot.flows.urgent import is_plea
from bot.flows.validators import check_field


@pytest.mark.parametrize(("text", "value"), [
    ("ستة", "6"), ("خمسه", "5"), ("عشرة", "10"), ("five", "5"), ("احنا سبعة", "7"), ("ثلاثة عشر", "13"),
    ("lima", "5"), ("پانچ", "5"), ("٦ أفراد", "6"), ("twelve", "12"),
])
def test_family_size_in_words(text: str, value: str) -> None:
    assert check_field("family_size", text) == (value, None)


@pytest.mark.parametrize("text", ["اثنين او ثلاثة", "كثير", "مية"])
def test_family_size_not_one_number(text: str) -> None:
    assert check_field("family_size", text)[0] is None


@pytest.mark.parametrize(("text", "plea"), [
    ("میں کھو گیا ہوں، مدد کریں", True), ("ساعدوني", True), ("help me please", True), ("tolong saya", True),
    ("ساعدوني ضايع في منى", False), ("مخيم 45", False), ("near gate 3", False),
])
def test_plea_is_not_a_place(text: str, plea: bool) -> None:
    assert is_plea(text) is plea


@pytest.mark.parametrize(("text", "kind"), [
    ("ابي احذف بياناتي", "deletion"), ("delete my data", "deletion"), ("hapus data saya", "deletion"),
    ("ابغى نسخة من بياناتي", "access"), ("I want a copy of my data", "access"),
    ("بياناتي غلط", "correction"), ("please correct my data", "correction"), ("بياناتي", None),
])
def test_privacy_kind_from_the_opening(text: str, kind: str | None) -> None:
    assert kind_in(text) == kind


def test_complaint_opening() -> None:
    assert opening_details("بدي اشتكي على موظف كان عم يصرخ") is not None
    assert category_in("بدي اشتكي على موظف كان عم يصرخ") == "staff"
    assert category_in("طلبي متأخر من شهر") == "delay"
    assert opening_details("عايز أشتكي") is None and opening_details("I want to file a complaint") is None


@pytest.mark.parametrize(("text", "relation"), [
    ("ابغى اقدم لابوي", "father"), ("أبي أقدم لأمي", "mother"), ("I am applying for my father", "father"),
    ("As a field representative", "field_representative"), ("ابي اقدم طلب", None), ("أبي أقدم طلب", None),
])
def test_applying_for_someone_else(text: str, relation: str | None) -> None:
    assert relation_in(text) == relation


@pytest.mark.parametrize(("text", "left"), [
    ("ابغى اشتكي", True), ("I want to apply for my mother", True), ("ابغى اقدم طلب جديد", True),
    ("ابي اقدم لكم الصك", False), ("الصك مرفق", False), ("شكرا", False),
])
def test_what_leaves_a_needs_info_conversation(text: str, left: bool) -> None:
    assert leaves(text) is left
