"""Latin-script language: English, Indonesian, Roman Urdu, Arabizi, or other.

Two signals, combined in `classify_latin`:

1. Word lists of the most frequent Arabizi and Roman Urdu words, plus the Arabizi habit of writing
   letters as digits inside words (3 = ع, 7 = ح, 5 = خ, 2 = ء, 9 = ص/ق, 6 = ط).
2. The lingua detector, restricted to languages that pilgrims and residents write in Latin script,
   for English vs Indonesian (Malay counts as Indonesian) vs other. When lingua is not installed
   (the Rasa environment), English/Indonesian word lists decide.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["classify_latin"]

_ARABIZI = frozenset(
    """abgha abga abgh abghaa abi abee abbi ana ane enta inta anta enti inti entum wesh wsh wish shlon
    shlonak shlonik kaif kaifak kaifik kif keef kef keefak halak halik 3ala ala alla yalla yallah laa
    na3am naam aiwa aywa ewa eyh aih shukran shokran shukraan mashkoor mashkour mashallah mashaallah
    inshallah inshaallah insha allah wallah walla wallahi salam salaam assalam alsalam asalam alaikum
    alaykum aleikum 3alaikum 3alaykum marhaba mar7aba ahlan hala habibi 7abibi ba3d mumkin momken mmkn
    mumken 3ndi 3andi 3ndy andi mafi mafe ma3ndi leh lesh lish lyh shu eish esh eysh shno shnu 7aga
    haga 3ayez 3ayz 3awz 3aiz 3ayza bidi beddi baddi biddi tab tayyib tayeb zain zein zen kwayes
    kwayyes msh mish mesh mo mu ilyoum alyoum alyom bukra bokra talab talabi tlbi talbi 6alab 6alabi
    mosa3da musa3ada mosaada musaada mosa3ada jam3iya jam3eya gam3eya jamiya shakwa shakwah shakwa
    mushkila moshkla moshkela mushkilah ra2m raqam rakam raqm 7ad ahad mowazaf muwathaf mowazzaf
    akallim akalem akalim akalmk kalam sho 3shan 3ashan 3alashan 3lshan lil bas bs khalas 5alas
    ta3ban sa3ed sa3idni sa3dni sa3dny saa3dni sa3doni abgha2 ab3at ab3t arsel arsil ersel wain wein
    fen fein feen wen 2ana 2na ahu aho hathi hatha hada hadi hadha elly illi elli alli ely kam 2eh
    eh ayesh 3awiz 3ayiz ya3ni ya3ny yani ma3 ma3a wiyak wayak shay shai shi 7aja 7aaja ha2 7a2
    tamam tmam mashi mashy ok2 aslan ba7es ab7ath dawa3 sabah masa masaa el7 el wel wal 3an 3n""".split()
)
_ROMAN_URDU = frozenset(
    """mujhe mujhay mujhko mjhe muje madad chahiye chahie chahye chaiye chahiyay chahta chahti chahte
    hai hain hay hy hen kya kia kyun kyon kiyun kaise kese kaisay kaisi kahan kahaan kab mera meri mere
    mein main mai mein hum humein hamein hamara hamari aap ap apka apki apke apko tum nahi nahin nai
    nahi haan han jee theek thik acha achha accha shukriya shukria bahut bohat bohot ka ki ke ko se
    par pe aur karna karo karen karein kar krna kr raha rahi rahe diya dijiye dein batao bataen
    batayein bataiye bhai sahib sahab zaroorat zarurat masla maslah shikayat darkhwast darkhast paise
    paisa kaam koi kuch abhi phir wapas khatam jaldi foran salaam walaikum walekum assalamu alaikum
    kaun kon kyunke kyunki liye lie wala wali wale hoga hogi hua hui gaya gayi tha thi hota hoti
    madat chahta chahti samajh pata baat karni karwa karwana banda log logon ghar bacche bachay
    khuda hafiz allah behtar sirf bas band rokna roko mat dena lena mil milega milegi""".split()
)
_ENGLISH = frozenset(
    """i you the a an to is are was my me we please help need want can could would how what when where
    why thanks thank hi hello bye yes no not and of for with this that it in on do does did have has""".split()
)
_INDONESIAN = frozenset(
    """saya aku kami kita anda kamu tolong bantu bantuan mau ingin bisa apa bagaimana kapan dimana
    terima kasih ya tidak tak bukan dan yang di ke dari untuk dengan ini itu ada sudah belum selamat
    pagi siang sore malam halo permohonan pengaduan mohon bapak ibu""".split()
)
_ARABIZI_DIGIT = re.compile(r"^(?=.*[a-z])(?:[a-z]*[35679][a-z]+|[a-z]+[35679][a-z]*|2[a-z]+|[a-z]+2[a-z]+)$")
_TOKEN = re.compile(r"[a-z0-9']+")


@functools.lru_cache(maxsize=1)
def _lingua() -> Any:
    """A lingua detector for Latin-script languages, or None when lingua is not installed."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return None
    languages = [
        Language.ENGLISH, Language.INDONESIAN, Language.MALAY, Language.FRENCH, Language.SPANISH,
        Language.GERMAN, Language.TURKISH, Language.ITALIAN, Language.PORTUGUESE, Language.DUTCH,
        Language.TAGALOG, Language.SWAHILI, Language.SOMALI, Language.YORUBA,
    ]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _lingua_language(text: str) -> str | None:
    detector = _lingua()
    if detector is None:
        return None
    values = detector.compute_language_confidence_values(text)
    if not values:
        return None
    best = values[0]
    name = best.language.name
    if name == "ENGLISH":
        return "en"
    if name in ("INDONESIAN", "MALAY"):
        return "id"
    return "other" if best.value >= 0.6 and len(text) >= 12 else None


def classify_latin(text: str) -> str:
    """'ar' (Arabizi), 'ur' (Roman Urdu), 'en', 'id' or 'other' for Latin-script text."""
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return "other"
    scores = {
        "ar": sum(t in _ARABIZI or bool(_ARABIZI_DIGIT.match(t)) for t in tokens),
        "ur": sum(t in _ROMAN_URDU for t in tokens),
        "en": sum(t in _ENGLISH for t in tokens),
        "id": sum(t in _INDONESIAN for t in tokens),
    }
    best = max(("ar", "ur"), key=lambda k: scores[k])
    if scores[best] and scores[best] >= max(scores["en"], scores["id"]) and scores[best] * 3 >= len(tokens):
        return best
    guess = _lingua_language(text)
    if guess:
        return guess
    ranked = max(scores, key=lambda k: scores[k])
    return ranked if scores[ranked] else "en"
