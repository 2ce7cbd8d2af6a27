"""What a person needs, in the words people use: a small lexicon of needs in Arabic (Gulf and other
dialects), English, Urdu (and Roman Urdu) and Indonesian.

A plea rarely names a service: «انا ارملة وما عندنا اكل» names neither «سلة غذائية» nor «دعم»; "a ride to my
chemo" names neither "transport to treatment" nor the hospital. Each need below is a concept with the words
that say it; a message and a service's name, synonyms and description are both read as concepts, so the
ranking (bot/flows/intake/choose.py) can meet them half way. Concepts, not services: the lexicon holds no
association's data, and a new association's services are understood through their own words.
"""

from __future__ import annotations

from functools import lru_cache

from bot.lang.words import canon

NEEDS: dict[str, tuple[str, ...]] = {
    "food": (
        "اكل", "أكل", "الاكل", "طعام", "الطعام", "غذاء", "غذائيه", "غذائي", "جوع", "جوعانين", "جوعان", "جيعانين",
        "مقاضي", "تموين", "ثلاجه", "الثلاجه", "جوعى", "سله", "سلال", "وجبه", "وجبات", "رز", "ناكل", "ياكلون", "ماكل", "عشا", "غدا", "مواد غذائيه",
        "food", "meal", "meals", "hungry", "groceries", "grocery", "eat", "starving", "ration", "rations",
        "makanan", "makan", "lapar", "sembako", "beras", "کھانا", "کھانے", "راشن", "بھوک", "بھوکے", "khana", "rashan",
        "فطور", "افطار", "إفطار", "سحور", "غداء", "عشاء", "breakfast", "lunch", "dinner", "iftar", "nasi", "nasi kotak", "makan siang", "افطاری",
    ),
    "water": (
        "ماء", "ماي", "موية", "مويه", "مياه", "سقيا", "عطش", "عطشان", "وايت", "water", "thirsty", "drinking",
        "air", "minum", "haus", "پانی", "پیاس", "pani",
    ),
    "family": (
        "اسره", "أسره", "الاسره", "اسر", "الأسر", "عائله", "عايله", "عيال", "عيالي", "اطفال", "أطفال", "اطفالي",
        "اولادي", "بزران", "ارمله", "أرمله", "مطلقه", "يتامى", "ايتام", "زوجي", "متوفى", "family", "families",
        "children", "kids", "widow", "orphans", "divorced", "keluarga", "anak", "anak anak", "janda", "yatim",
        "خاندان", "بچے", "بچوں", "بیوہ", "یتیم", "گھر والے", "bachay", "bachon",
    ),
    "transport": (
        "نقل", "توصيل", "توصيله", "مواصلات", "مشوار", "سياره", "يوصلني", "يوديني", "يودينا", "اروح", "توديني",
        "transport", "transportation", "ride", "lift", "taxi", "car", "drive", "take me", "pick up",
        "antar", "antarkan", "jemput", "transportasi", "kendaraan", "mobil", "ٹرانسپورٹ", "گاڑی", "سواری",
    ),
    "treatment": (
        "علاج", "العلاج", "كيماوي", "الكيماوي", "كيميائي", "اشعاعي", "إشعاعي", "جلسات", "جلسه", "مستشفى",
        "المستشفى", "مراجعه", "سرطان", "ورم", "مريض", "مريضه", "treatment", "chemo",
        "chemotherapy", "radiotherapy", "hospital", "cancer", "patient", "sick",
        "pengobatan", "kemoterapi", "kemo", "rumah sakit", "kanker", "sakit", "علاج", "ہسپتال", "کینسر", "بیمار",
    ),
    "money": (
        "فلوس", "مال", "ماليه", "مادي", "ماديه", "مبلغ", "مصاريف", "ديون", "ايجار", "إيجار", "الايجار",
        "فواتير", "فاتوره", "راتب", "money", "cash", "financial", "rent", "bills", "debt", "debts", "expenses",
        "uang", "biaya", "sewa", "tagihan", "hutang", "پیسے", "پیسہ", "کرایہ", "قرض", "بل", "paise",
    ),
    "device": (
        "جهاز", "اجهزه", "أجهزه", "كرسي", "متحرك", "سرير", "طبي", "اكسجين", "أكسجين", "مستلزمات", "حفاضات",
        "wheelchair", "bed", "oxygen", "device", "devices", "equipment", "supplies", "diapers", "kursi roda",
        "alat", "oksigen", "ranjang", "وہیل چیئر", "آکسیجن", "بستر",
    ),
    "housing": (
        "سكن", "مسكن", "اسكان", "إسكان", "مكان انام", "انام", "فندق", "شقه", "مأوى", "ماوى", "accommodation",
        "housing", "sleep", "shelter", "hotel", "room", "penginapan", "tempat tinggal", "menginap", "tidur",
        "رہائش", "ٹھہرنا", "کمرہ",
    ),
    "training": (
        "تدريب", "دوره", "دورات", "ورشه", "ورش", "اتعلم", "تعلم", "تاهيل", "تأهيل", "training", "course", "courses",
        "workshop", "learn", "pelatihan", "kursus", "belajar", "تربیت", "کورس", "سیکھنا",
    ),
    "business": (
        "مشروع", "مشروعي", "بزنس", "خياطه", "طبخ", "اسر منتجه", "منتجه", "منزلي", "project", "business",
        "home business", "usaha", "bisnis", "کاروبار",
    ),
    "selling": (
        "ابيع", "بيع", "نبيع", "تسويق", "اسوق", "سوق", "بسطه", "بازار", "البازار", "بازارات", "معرض", "معارض",
        "منتجات", "منتجاتي", "sell", "selling", "market", "marketing", "bazaar", "exhibition", "stall", "products",
        "jualan", "menjual", "jual", "pasar", "produk", "pameran", "بیچنا", "مارکیٹ", "مصنوعات",
    ),
    "faith": (
        "اسلام", "الاسلام", "اسلمت", "مسلم", "مسلمه", "دين", "الدين", "صلاه", "الصلاه", "قران", "القران",
        "فتوى", "داعيه", "islam", "muslim", "convert", "revert", "faith", "religion", "prayer", "pray", "quran",
        "agama", "mualaf", "sholat", "shalat", "اسلام", "مسلمان", "نماز", "قرآن", "دین",
        "اسلم", "أسلم", "شهاده", "الشهاده", "نطق", "وضوء", "الوضوء", "طهاره", "الطهاره", "عقيده", "العقيده", "زكاه", "shahada", "shahadah", "reverted", "became muslim", "converted", "wudu", "zakat", "mualaf", "syahadat", "masuk islam", "wudhu", "کلمہ", "قبول اسلام", "نومسلم", "وضو",
    ),
    "language": (
        "لغتي", "بلغتي", "ترجمه", "مترجم", "مترجمه", "language", "translated", "translation", "my language",
        "bahasa saya", "terjemahan", "زبان", "ترجمہ",
    ),
    "clothes": (
        "ملابس الاحرام", "لبس الاحرام", "ملابس", "لبس", "ثياب", "ihram", "clothes", "clothing", "garment", "pakaian", "kain ihram",
        "احرام کے کپڑے", "کپڑے", "ihram clothes", "ihram garments", "kain ihram",
    ),
    "lost": (
        "ضايع", "ضعت", "تايه", "تهت", "فقدت", "ضاع", "ضاعت", "سرقت", "انسرق", "جواز", "جوازي", "فلوسي", "lost",
        "stolen", "passport", "separated", "stranded", "hilang", "tersesat", "dicuri", "paspor", "کھو", "گم",
        "پاسپورٹ", "چوری",
        "بچھڑ", "بچھڑ گیا", "فقدناه", "ما لقيناه", "ضاع", "separated", "missing", "can't find", "terpisah", "کھو گیا",
    ),
    "guidance": (
        "ارشاد", "إرشاد", "مناسك", "الميقات", "ميقات", "اعرف كيف", "الطريق", "guidance", "rites", "miqat", "route",
        "directions", "bimbingan", "manasik", "arah", "jalan", "رہنمائی", "مناسک", "راستہ",
        "مناسك", "نيه", "النيه", "انوي", "طواف", "سعي", "niyyah", "niat", "manasik", "tawaf", "how to perform", "نیت", "طواف", "عمرہ کیسے",
    ),
    "awareness": (
        "محاضره", "محاضرات", "توعيه", "توعوي", "برنامج", "درس", "lecture", "awareness", "programme", "program",
        "talk", "ceramah", "penyuluhan", "kajian", "لیکچر", "بیان", "پروگرام",
        "كلمه", "بيان", "داعيه", "lecture", "seminar", "bayan", "بیان", "درس دینی",
    ),
    "pilgrims": (
        "حاج", "حجاج", "الحجاج", "الحاج", "معتمر", "معتمرين", "المعتمرين", "حمله", "حمله حج", "حمله عمره", "قافله",
        "زوار", "ضيوف الرحمن", "pilgrim", "pilgrims", "hajj", "umrah", "umroh", "jemaah", "jamaah", "rombongan",
        "haji", "حاجی", "حاجیوں", "معتمرین", "عمرہ", "زائرین",
    ),
    "health": (
        "صحي", "صحيه", "الصحيه", "اسعاف", "اسعافات", "إسعافات", "يسعفني", "ضغط", "ضغطها", "سكري", "دوخه", "دايخ",
        "تدوخ", "جرح", "جرحت", "نزيف", "الدم", "حراره", "حمى", "اغماء", "اغمى", "طاح", "كسر", "انسولين", "ربو",
        "health", "first aid", "medical", "fever", "injured", "injury", "bleeding", "diabetic", "insulin", "dizzy",
        "fainted", "blood pressure", "asthma", "kesehatan", "demam", "luka", "pusing", "pingsan", "darah",
        "طبی", "صحت", "بخار", "زخم", "چکر", "خون", "الٹیاں", "بے ہوش",
    ),
    "books": (
        "كتب", "كتاب", "كتيب", "كتيبات", "مطويات", "نشرات", "مواد", "مترجمه", "مصحف", "books", "book", "leaflets",
        "booklets", "brochures", "materials", "pamphlets", "buku", "brosur", "materi", "kitab", "کتابیں", "کتاب",
        "پمفلٹ",
    ),
    "lessons": (
        "دروس", "يعلمه", "يعلمني", "يعلمها", "تعليم", "حلقه", "classes", "class", "lessons", "teach", "teacher",
        "kelas", "ngaji", "mengaji", "کلاس", "سبق", "پڑھانا", "سکھائے",
    ),
    "community": (
        "عمال", "عماله", "العمال", "موظفين", "الجاليه", "جاليه", "الشركه", "شركه", "workers", "employees", "labourers",
        "laborers", "company", "community", "pekerja", "karyawan", "perusahaan", "مزدور", "ملازمین", "کمپنی",
    ),
    "membership": (
        "عضويه", "عضو", "الجمعيه العموميه", "membership", "member", "anggota", "keanggotaan", "رکنیت", "ممبر",
    ),
}


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(single word -> needs, phrase of several words -> needs), in `canon` spelling."""
    single: dict[str, set[str]] = {}
    phrases: dict[str, set[str]] = {}
    for need, words in NEEDS.items():
        for word in words:
            key = canon(word)
            (phrases if " " in key else single).setdefault(key, set()).add(need)
    return ({k: frozenset(v) for k, v in single.items()}, {k: frozenset(v) for k, v in phrases.items()})


def _article_free(word: str) -> str:
    for prefix in ("وال", "بال", "فال", "لل", "ال", "و", "ب", "ل"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix):]
    return word


_SUFFIXES = ("هم", "ها", "كم", "نا", "ه", "ي", "ون", "ين", "ات")


def _forms(word: str) -> tuple[str, ...]:
    """The word, without its article or conjunction, and without an attached pronoun or plural ending
    («ناكله» -> «ناكل», «والثلاجه» -> «ثلاجه»)."""
    forms = [word, _article_free(word)]
    for base in tuple(forms):
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                forms.append(base[: -len(suffix)])
                break
    return tuple(forms)


@lru_cache(maxsize=4096)
def needs_in(text: str) -> frozenset[str]:
    """The needs a text speaks of ("ما عندنا اكل وعيالي جوعانين" -> {food, family})."""
    single, phrases = _index()
    c = canon(text)
    found: set[str] = set()
    for word in c.split():
        for form in _forms(word):
            found |= single.get(form, frozenset())
    padded = f" {c} "
    for phrase, needs in phrases.items():
        if f" {phrase} " in padded:
            found |= needs
    return frozenset(found)
