"""Explicit words that name an intent, for when the NLU server is down (or not asked).

The NLU is the main way in; these words keep the obvious requests working without it
("شكوى", "ابغى اقيم", "موظف", "volunteer", "darurat"...) and make transcripts deterministic.
Matching is on whole words of the normalised text; the first intent in the table wins.

    >>> keyword_intent("عايز أشتكي على التأخير")
    'file_complaint'
"""

from __future__ import annotations

from bot.lang.words import canon

KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("urgent_help", (
        "طوارئ", "اسعاف", "نجده", "ساعدوني", "الحقوني", "انقذوني", "حاله طارئه", "مساعده عاجله", "ضايع",
        "تايه", "emergency", "urgent", "help me", "sos", "darurat", "tolong", "ایمرجنسی", "فوری مدد", "ہنگامی",
    )),
    ("privacy_request", (
        "بياناتي", "بياناتي الشخصيه", "حذف بياناتي", "my data", "my personal data", "delete my data",
        "data saya", "data pribadi", "hapus data", "میرا ڈیٹا", "ذاتی ڈیٹا",
    )),
    ("file_complaint", (
        "شكوي", "شكوه", "اشتكي", "شكاوي", "بلاغ", "complaint", "complain", "keluhan", "pengaduan", "mengadu",
        "komplain", "شکایت",
    )),
    ("give_rating", (
        "اقيم", "تقييم", "قيم", "rate", "rating", "feedback", "nilai", "penilaian", "menilai", "درجہ بندی",
        "ریٹنگ", "stars", "نجوم", "نجمات", "bintang", "ستارے",
    )),
    ("human_handoff", (
        "موظف", "انسان", "شخص حقيقي", "خدمه العملاء", "ابي اكلم احد", "agent", "human", "staff",
        "real person", "petugas", "manusia", "operator", "عملے", "نمائندہ", "انسان سے بات",
    )),
    ("volunteer", ("تطوع", "متطوع", "اتطوع", "volunteer", "volunteering", "relawan", "sukarela", "رضاکار")),
    ("check_status", (
        "وش صار", "حاله طلبي", "وين طلبي", "ايش صار", "status", "my request", "status permohonan",
        "درخواست کی صورتحال", "درخواست کا کیا بنا",
    )),
    ("request_service", (
        "اقدم طلب", "تقديم طلب", "طلب خدمه", "ابغي خدمه", "عايز خدمه", "بدي خدمه", "apply", "new request",
        "request a service", "ajukan", "mengajukan", "درخواست دینا", "درخواست دینی", "اقدم", "ابغى اقدم",
        "applying for", "i am applying", "apply for",
    )),
    ("ask_info", (
        "معلومات", "استفسار", "الدوام", "ساعات العمل", "مواعيد", "العنوان", "موقعكم", "وين مكانكم",
        "ارقام التواصل", "info", "information", "hours", "address", "contact", "informasi", "jam kerja",
        "alamat", "اوقات", "پتہ",
    )),
    ("greet", (
        "السلام عليكم", "سلام عليكم", "مرحبا", "اهلا", "هلا", "هاي", "hello", "hi", "salam", "halo",
        "assalamualaikum", "السلام علیکم",
    )),
    ("thanks", ("شكرا", "مشكور", "يعطيك العافيه", "thanks", "thank you", "terima kasih", "شکریہ")),
)
_CANON: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (intent, tuple(f" {canon(w)} " for w in words)) for intent, words in KEYWORDS
)


def keyword_intent(text: str) -> str | None:
    """The intent an explicit word in `text` names, or None."""
    padded = f" {canon(text)} "
    if padded.strip() == "":
        return None
    for intent, words in _CANON:
        if any(w in padded for w in words):
            return intent
    return None
