"""Extract the identity details a customer's message holds, several at once.

Pure, no I/O. R-F3/R-F4 (domain.md §2): the assistant collects full name, personnummer or
samordningsnummer, folkbokföringsadress, the e-mail or phone on file, the customer number and the group
company, and matches them against the register; a mismatch goes to a human. So a wrong extraction costs
more than a missing one (the bot simply asks again): every rule here is conservative, and when a message
holds two different values for one detail, that detail is left empty.

Order of extraction, each step blanking what it took so later steps cannot reuse it: e-mail, customer
number (after its keyword), identity numbers, phone, address, legal entity, name.

Errors: ``ValueError`` for an unknown ``expect`` (a programming error in the caller); nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Literal

from workflows.identity import (
    IdentityNumber,
    InvalidIdentityNumber,
    parse_identity_number,
    scan_identity_numbers,
)

__all__ = ["SLOTS", "Details", "extract_details"]

# The slots ``expect`` may name; a few aliases the dialogue may use for the same slot.
SLOTS = ("full_name", "identity_number", "email", "phone", "address", "customer_number", "legal_entity")
_ALIASES = {
    "name": "full_name",
    "personnummer": "identity_number",
    "e_mail": "email",
    "company": "legal_entity",
}

_BLANK = "\x1f"  # replaces taken text: not a letter, digit or space, so it breaks words and numbers

Context = Literal["phone", "pnr", "other"]


@dataclass(frozen=True, repr=False)
class Details:
    full_name: str | None = None
    identity_number: IdentityNumber | None = None
    # The raw text of something that looks like an identity number but is not a valid one, so the bot
    # can say "that number looks wrong" (set only when no valid number was found).
    invalid_identity_number: str | None = None
    email: str | None = None
    phone: str | None = None  # E.164, "+46701234567"
    address: str | None = None  # "Storgatan 12, 411 38 Göteborg"
    customer_number: str | None = None
    legal_entity: str | None = None  # exactly one of the configured names

    def filled(self) -> list[str]:
        """Names of the details that were found."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]

    def __repr__(self) -> str:
        # R-F4 and style rule 9: a repr lands in logs; name which details are there, not their values.
        shown = [f"{name}=<set>" for name in self.filled()]
        if self.identity_number is not None:
            shown[0] = f"identity_number={self.identity_number.masked()}"
        return f"Details({', '.join(shown)})"


# ---------------------------------------------------------------- text helpers

_FOLD = str.maketrans("åäöéèüáàøæÅÄÖÉÈÜÁÀØÆ", "aaoeeuaaoaAAOEEUAAOA")


def _fold(text: str) -> str:
    """Lower case without diacritics, same length as ``text`` so spans carry over.

    Customers often type without å/ä/ö ("foretag", "mitt namn ar"), so keywords are matched on this.
    """
    out = []
    for ch in text:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out).translate(_FOLD)


def _blank(work: str, start: int, end: int) -> str:
    return work[:start] + _BLANK * (end - start) + work[end:]


def _unique(values: Iterable[str]) -> str | None:
    """The single distinct value, or ``None`` for none or several (conservative: never guess)."""
    distinct = list(dict.fromkeys(values))
    return distinct[0] if len(distinct) == 1 else None


# ---------------------------------------------------------------- e-mail

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")


# ---------------------------------------------------------------- customer number

_CUSTOMER_NO = re.compile(
    r"\b(?:kund(?:nummer|nr|-nr|-id|id)|kund\s(?:nummer|nr)|customer\s?(?:number|no\.?|nr|id|#))"
    r"(?:\s*(?:ar|is|:|=|#))*\s*"
    r"(?P<val>[a-z]{0,4}-?[0-9][0-9-]*[0-9]|[0-9])(?![\w-])"
)
_BARE_CUSTOMER_NO = re.compile(r"[#]?(?P<val>[A-Za-z]{0,4}-?[0-9][0-9-]*[0-9])[.!]?")


def _customer_number_ok(value: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    return 4 <= digits <= 20 and "--" not in value


# ---------------------------------------------------------------- identity numbers and phones

_PNR_WORDS = re.compile(
    r"person(?:nummer|nr)|pers\.?\s?nr|\bpnr\b|samordnings(?:nummer|nr)|personal (?:identity )?number"
    r"|\bid(?:entity)? number|social security number|\bssn\b|fodelsenummer"
)
_PHONE_WORDS = re.compile(
    r"\btel\b|\btel\.|telefon|\btfn\b|\bmobil(?:nummer|nr|telefon)?\b|\bmobile\b|phone|\bcell\b|\bring\b|\bsms\b"
)

# Numbers that are neither: an invoice or case number must not become a phone number.
_OTHER_WORDS = re.compile(
    r"faktura|invoice|\bocr\b|order|arende|\bcase\b|referens|reference|\bref\b|avtalsnummer|\bbankgiro"
    r"|\bplusgiro|\bkonto|account|\bclearing|\biban\b"
)
_CONTEXT_WORDS: tuple[tuple[re.Pattern[str], Context], ...] = (
    (_PNR_WORDS, "pnr"),
    (_PHONE_WORDS, "phone"),
    (_OTHER_WORDS, "other"),
)

_PHONE = re.compile(
    r"(?<![\w+])(?P<num>"
    # +46 / 0046, optional "(0)", then a national significant number of 7–9 digits (first digit not 0)
    r"(?:\+|00)[ ]?46[ -]?(?:\(0\)[ -]?)?[1-9](?:[ /-]?[0-9]){6,8}"
    # other countries: "+" and 8–15 digits in all, kept as written without separators
    r"|\+(?!46)[1-9](?:[ -]?[0-9]){7,13}"
    # national: 0, area code or 7x, 8–10 digits in all (070-123 45 67, 08-123 456 78, 031-12 34 56)
    r"|0[1-9](?:[ /-]?[0-9]){6,8}"
    r")(?![ /-]?[0-9])"
)
_PNR_SHAPE = re.compile(r"[0-9]{6}[-+][0-9]{4}")


def _context(folded: str, start: int, expect: str | None) -> Context | None:
    """Which kind of number the words just before ``start`` announce, else what the bot asked for."""
    window = folded[max(0, start - 40) : start]
    last: tuple[int, Context] | None = None
    for rx, kind in _CONTEXT_WORDS:
        for m in rx.finditer(window):
            if kind == "other" and (len(window) - m.end() > 15 or re.search(r"[0-9]", window[m.end() :])):
                continue  # "konto 8327-9, 811218-9876": only the number right after the word is "other"
            if last is None or m.end() > last[0]:
                last = (m.end(), kind)
    if last is not None:
        return last[1]  # the nearest keyword wins: "personnummer 811218-9876, tel 0701234567"
    if expect == "phone":
        return "phone"
    if expect == "identity_number":
        return "pnr"
    return None


def _normalise_phone(raw: str) -> str | None:
    digits = re.sub(r"[^0-9+]", "", raw.replace("(0)", ""))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+46"):
        nsn = digits[3:]
    elif digits.startswith("+"):
        return digits if 8 <= len(digits) - 1 <= 15 else None
    else:
        nsn = digits[1:]
    if not 7 <= len(nsn) <= 9 or nsn.startswith("0"):
        return None
    return "+46" + nsn


# ---------------------------------------------------------------- address

_WORD = r"[^\W\d_](?:[^\W\d_]|[.:'’-](?=[^\W\d_]))*"
_ADDRESS = re.compile(
    rf"(?<![\w.:'’-])(?P<street>(?:{_WORD}[ \t]+){{0,3}}{_WORD})[ \t]+"
    r"(?P<no>[0-9]{1,4}(?:[ \t]?[A-Za-z](?![^\W\d_]))?"
    r"(?:[ \t]*,?[ \t]*(?:lgh|lägenhet|lagenhet|apt)\.?[ \t]*[0-9]{3,4})?)"
    r"[ \t]*,?\s*(?:SE-?[ \t]?)?"
    r"(?P<pc1>[1-9][0-9]{2})[ \t]?(?P<pc2>[0-9]{2})(?![0-9])[ \t]*,?[ \t]*"
    rf"(?P<city>{_WORD}(?:[ \t]+{_WORD})?)"
)
_STREET_SUFFIXES = tuple(
    (
        "gatan gata vagen vag granden grand torget torg backen backe planen plan stigen stig allen alle "
        "leden liden kajen kaj kroken slingan straket parken platsen plats esplanaden promenaden gangen "
        "hagen ringen bryggan kullen hojden dalen terrassen stranden strand udden holmen"
    ).split()
)
# A lower-case street type after a proper name: "Karl Johans gata", "Kungsholms strand".
_STREET_TYPES = frozenset({"gata", "vag", "grand", "torg", "backe", "plan", "stig", "alle", "strand", "kaj"})
_PLACE_PREFIXES = frozenset(
    (
        "stora lilla store lille norra sodra ostra vastra gamla nya sankt s:t ovre nedre yttre inre "
        "upplands kungens"
    ).split()
)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


_NOT_STREET_WORDS = frozenset({"pa", "i", "at", "on", "in", "bor", "live", "adress", "address", "ar", "is"})


def _street(words: list[str], loose: bool) -> list[str] | None:
    """The street name at the end of ``words`` (the words before the house number), or ``None``."""
    last = words[-1]
    flast = _fold(last)
    if flast in _STREET_TYPES and len(words) >= 2:
        # "Karl Johans gata": up to two capitalised words before the type word.
        lead = list(words[-3:-1])
        while lead and (_fold(lead[0]) in _NOT_STREET_WORDS or not (loose or _is_capitalised(lead[0]))):
            lead.pop(0)
        chosen = [*lead, last]
    elif flast.endswith(_STREET_SUFFIXES) or flast == "box":
        chosen = [last]
        for w in reversed(words[:-1]):
            if _fold(w) not in _PLACE_PREFIXES:
                break
            chosen.insert(0, w)
    else:
        # Unknown kind of street ("Lilla Bommen", "Rosenlund"): one word, or a place prefix and a word.
        chosen = [last]
        if len(words) >= 2 and _fold(words[-2]) in _PLACE_PREFIXES:
            chosen.insert(0, words[-2])
    if len(chosen) == 1 and _fold(chosen[0]) in _STREET_TYPES:
        return None
    if not loose and not _is_capitalised(chosen[0]):
        return None
    return chosen


def _city(words: str, loose: bool) -> list[str] | None:
    parts = words.split()
    # A second word only after a prefix ("Upplands Väsby", "Västra Frölunda"), never "Göteborg Tack".
    city = parts[:2] if len(parts) == 2 and _fold(parts[0]) in _PLACE_PREFIXES else parts[:1]
    if not loose and not _is_capitalised(city[0]) and _fold(city[0]) in _NOT_NAMES:
        return None  # "411 38 och ...": a lower-case city only when it is not an ordinary word
    return city


# ---------------------------------------------------------------- legal entity

# Definite and compound forms: "bredbandet", "mobilabonnemang", "företagskund" (not "mobilnummer").
_ENTITY_SUFFIXES = (
    r"(?:et|en|s|kund|skund|abonnemang|sabonnemang|avtal|savtal|tjanst|stjanst|tjanster|stjanster)?"
)
_ENTITY_SYNONYMS = {"bredband": ("broadband",), "mobil": ("mobile",), "foretag": ("business", "corporate")}
# "mobil: 070-…", "mobile number" are phone labels, not the mobile company.
_NOT_A_LABEL = r"(?![ \t]*(?:nr|nummer|number|no|phone|telefon)?\.?[ \t]*(?:ar|is)?[ \t]*:?[ \t]*[+0-9(\x1f])"
_NEGATION = re.compile(r"\b(?:inte|ej|inget|ingen|not|no|non)\W+(?:\w+\W+)?$")
_COMPANY_FORMS = frozenset({"ab", "aktiebolag", "publ", "hb", "kb", "ltd", "inc", "oy", "as"})


def _entity_patterns(entities: Sequence[str], bare: bool) -> list[tuple[str, re.Pattern[str], bool]]:
    """(entity, pattern, is_full_name) for each configured name and its distinctive word."""
    tokens = [[t for t in re.findall(r"\w+", _fold(e)) if t not in _COMPANY_FORMS] for e in entities]
    common = set.intersection(*(set(t) for t in tokens)) if len(tokens) > 1 else set()
    patterns: list[tuple[str, re.Pattern[str], bool]] = []
    for entity, toks in zip(entities, tokens, strict=True):
        if not toks:
            continue
        full = r"\b" + r"[\s-]+".join(map(re.escape, toks)) + r"(?:\s+(?:ab|aktiebolag))?\b"
        patterns.append((entity, re.compile(full), True))
        distinctive = [t for t in toks if t not in common]
        if len(distinctive) == 1 and common:
            word = distinctive[0]
            alternatives = [re.escape(word) + _ENTITY_SUFFIXES]
            # English synonyms; the generic ones ("business") only when the bot asked for the company.
            for syn in _ENTITY_SYNONYMS.get(word, ()):
                if bare or syn in ("broadband", "mobile"):
                    alternatives.append(re.escape(syn))
            rx = r"\b(?:" + "|".join(alternatives) + r")\b" + _NOT_A_LABEL
            patterns.append((entity, re.compile(rx), False))
    return patterns


def _legal_entity(folded_work: str, entities: Sequence[str], bare: bool) -> str | None:
    full_hits: list[str] = []
    word_hits: list[str] = []
    for entity, rx, is_full in _entity_patterns(entities, bare):
        for m in rx.finditer(folded_work):
            if is_full:
                full_hits.append(entity)
            elif not _NEGATION.search(folded_work[max(0, m.start() - 30) : m.start()]):
                # "inte företag" / "not business": the word is there to deny it.
                word_hits.append(entity)
    return _unique(full_hits) if full_hits else _unique(word_hits)


# ---------------------------------------------------------------- names

_NAME_WORD_STRICT = r"[A-ZÅÄÖÉÜÆØ][a-zåäöéüæøßèáíóúñç'’]+(?:-[A-ZÅÄÖÉÜÆØ][a-zåäöéüæøßèáíóúñç'’]+)?"
_NAME_WORD_LOOSE = r"[^\W\d_][^\W\d_'’]*(?:-[^\W\d_]+)?"
_PARTICLES = frozenset({"von", "van", "af", "de", "der", "den", "la", "le", "da", "di", "del", "bin", "al"})
# Capitalised words that are no names: greetings, pronouns and request words that start sentences, the
# request itself and the details' own labels, the company, its channels and staff roles.
_NOT_NAMES = frozenset(
    (
        "hej hejsan hallo hello hi hey tjena tja god morgon kvall dear tack thanks thank mvh jag i my "
        "mitt min mina vi we ni du you det it this har have vill want would please snalla kan can och and "
        "ar is am bor live living fran from med with pa at om in about inte not sir madam or eller sa so "
        "vanliga halsningar best kind regards ok okej here som who the a en ett registerutdrag utdrag "
        "gdpr data uppgifter personuppgifter personnummer kundnummer adress address email epost mail "
        "telefon phone mobil mobile namn name fullstandigt full request begaran radera delete access "
        "komteknik bredband foretag ab kund customer kundtjanst kundservice service support team privacy "
        "dataskydd dataskyddsombud dpo gruppen group"
    ).split()
)
_NAME_MARKERS = re.compile(
    r"\b(?:jag heter|mitt (?:fullstandiga |hela )?namn ar|my (?:full )?name is|my name's"
    r"|(?:fullstandigt |hela |full )?(?:namn|name)[ \t]*:)[ \t]*"
)
_SIGN_OFF = re.compile(
    r"(?:^|\n)[ \t]*(?:mvh|med vanlig(?:a)? halsning(?:ar)?|vanliga halsningar|halsningar|halsning"
    r"|best regards|kind regards|regards|yours sincerely|sincerely)[ \t]*[,.!]?[ \t]*\n?[ \t]*"
)
_GREETING = re.compile(
    r"(?:hej|hejsan|hallo|hello|hi|hey|dear \w+|god (?:morgon|dag|kvall))[ \t]*[,!.:;\n]\s*"
)
_FILLERS = re.compile(
    r"^(?:(?:hej|hejsan|hello|hi)[ \t]*[,!.]?[ \t]*)?"
    r"(?:det ar |it's |it is |i am |i'm |jag heter |jag ar |my name is |mitt namn ar "
    r"|namn:[ \t]*|name:[ \t]*)?"
)


def _name_words(text: str, start: int, *, loose: bool) -> tuple[list[str], int] | None:
    """Two to four name words at ``start`` and where they end; they must end at punctuation, a blank,
    a line end, a digit or a stop word ("jag heter Maja Lindgren och ...")."""
    particles = "|".join(sorted(_PARTICLES))
    word = rf"(?:{_NAME_WORD_LOOSE if loose else _NAME_WORD_STRICT}|{particles})(?![^\W\d_])"
    kept: list[str] = []
    end = start
    stopped = False
    for m in re.finditer(rf"(?:[ \t]+)?({word})", text[start:]):
        if m.start() != end - start:
            break  # not adjacent: something else came between
        w = m.group(1)
        if _fold(w) in _NOT_NAMES or (w.islower() and w not in _PARTICLES and not loose):
            stopped = True
            break
        kept.append(w)
        end = start + m.end()
    if not stopped:
        rest = text[end:]
        # Loose words run until something that is not a word: a longer run of words is a sentence.
        if not re.match(r"[ \t]*(?:$|[,.;:!?\n\x1f()0-9])" if loose else r"(?:$|[ \t,.;:!?\n\x1f()])", rest):
            return None
    while kept and kept[-1] in _PARTICLES:
        kept.pop()
    if not 2 <= len(kept) <= 4 or kept[0] in _PARTICLES:
        return None
    if not loose and not all(_is_capitalised(w) or w in _PARTICLES for w in kept):
        return None
    if any(_fold(w).endswith(_STREET_SUFFIXES[:4]) for w in kept):  # "Storgatan", "Vasavägen" are no names
        return None
    return kept, end


def _names_from_markers(work: str, *, loose: bool) -> list[str]:
    """Names after "jag heter", "my name is", "Namn:" or a sign-off ("Mvh", "Best regards").

    Capitalised words only, unless the bot asked for the name: "mitt namn är felstavat hos er" is a
    rectification request, not a name.
    """
    folded = _fold(work)
    names = []
    for m in _NAME_MARKERS.finditer(folded):
        if found := _name_words(work, m.end(), loose=loose):
            names.append(" ".join(found[0]))
    for m in _SIGN_OFF.finditer(folded):
        found = _name_words(work, m.end(), loose=False)
        if found and re.match(r"[ \t]*(?:\n|$|\x1f)", work[found[1] :]):
            names.append(" ".join(found[0]))
    return names


def _leading_name(work: str) -> str | None:
    """ "Maja Lindgren, 811218-9876, ...": a name first in the message, cut off by punctuation."""
    start = len(work) - len(work.lstrip())
    if g := _GREETING.match(_fold(work), start):
        start = g.end()  # "Hej! Maja Lindgren, ..." (but "Hej Maja Lindgren," addresses someone: no match)
    found = _name_words(work, start, loose=False)
    if not found:
        return None
    words, end = found
    if not re.match(r"[ \t]*[,;\n\x1f]", work[end:]):
        return None
    return " ".join(words)


def _bare_name(work: str) -> str | None:
    """The whole remaining answer is a name (only when the bot asked for it)."""
    rest = re.sub(r"\s+", " ", re.sub(rf"[{_BLANK},.;:!?]+", " ", work)).strip()
    filler = _FILLERS.match(_fold(rest))
    if filler:
        rest = rest[filler.end() :]
    found = _name_words(rest, 0, loose=True)
    if found is None or found[1] != len(rest):
        return None
    return " ".join(found[0])


# ---------------------------------------------------------------- the extractor


def extract_details(
    text: str, *, today: date, legal_entities: Sequence[str], expect: str | None = None
) -> Details:
    """Every identity detail in one customer message (R-F3: full name, identity number, address, e-mail,
    phone, customer number, group company).

    ``expect`` names the slot the bot just asked for (one of :data:`SLOTS`); then a bare answer ("Maja
    Lindgren", "Storgatan 12 41138 Göteborg", "123456") is taken as that detail, and an ambiguous number
    ("0701234567" after "your phone?") is read as what was asked for.
    """
    if expect is not None:
        expect = _ALIASES.get(expect, expect)
        if expect not in SLOTS:
            raise ValueError(f"unknown slot for expect: {expect!r}; use one of {SLOTS}")

    text = unicodedata.normalize("NFC", text)
    work = text
    folded = _fold(text)

    # E-mail first: its local part may hold digits or words ("maja.bredband@…") the later steps would take.
    emails = []
    for m in _EMAIL.finditer(work):
        emails.append(m.group().rstrip("."))
        work = _blank(work, m.start(), m.end())

    customer_numbers = []
    for m in _CUSTOMER_NO.finditer(_fold(work)):
        value = work[m.start("val") : m.end("val")]
        if not _customer_number_ok(value):
            continue
        try:
            parse_identity_number(value, today=today)
        except InvalidIdentityNumber:
            customer_numbers.append(value)
            work = _blank(work, m.start("val"), m.end("val"))
        # else: a valid personnummer after "kundnummer" is a mix-up; the identity step takes it.

    # Identity numbers. A 10-digit run starting with 0 is also a phone number ("0701234567"): the
    # keyword before it decides; with none, a valid personnummer there is ambiguous and taken as nothing.
    valid: list[IdentityNumber] = []
    invalid: list[str] = []
    for cand in scan_identity_numbers(work, today=today):
        phone_shaped = re.fullmatch(r"0[0-9]{9}", cand.text) is not None
        ctx = _context(folded, cand.start, expect)
        if ctx == "other":
            work = _blank(work, cand.start, cand.end)
            continue  # "faktura 8112189876": not offered as an identity number
        if phone_shaped and (ctx == "phone" or (ctx is None and cand.number is None)):
            continue  # left for the phone step
        if phone_shaped and ctx is None:
            work = _blank(work, cand.start, cand.end)
            continue
        if cand.number is not None:
            valid.append(cand.number)
        else:
            invalid.append(cand.text)
        work = _blank(work, cand.start, cand.end)

    if expect == "customer_number" and not customer_numbers:
        # A bare answer to "your customer number?"; before the phone step, as "01234567" is both.
        bare = _BARE_CUSTOMER_NO.fullmatch(work.strip())
        if bare and _customer_number_ok(bare["val"]):
            customer_numbers.append(bare["val"])
            work = _BLANK * len(work)

    phones = []
    for m in _PHONE.finditer(work):
        raw = m["num"]
        if _PNR_SHAPE.fullmatch(raw) or _context(folded, m.start(), expect) == "other":
            continue
        normalised = _normalise_phone(raw)
        if normalised is not None:
            phones.append(normalised)
            work = _blank(work, m.start(), m.end())

    loose_address = expect == "address"
    addresses = []
    for m in _ADDRESS.finditer(work):
        street_words = list(re.finditer(r"\S+", m["street"]))
        street = _street([w.group() for w in street_words], loose_address)
        city = _city(m["city"], loose_address)
        if street is None or city is None:
            continue
        number = " ".join(m["no"].replace(",", " ").split())
        addresses.append(f"{' '.join(street)} {number}, {m['pc1']} {m['pc2']} {' '.join(city)}")
        # Blank only what was taken: a name before the street or a word after the city stays.
        start = m.start("street") + street_words[-len(street)].start()
        end = m.start("city") + m["city"].index(city[-1]) + len(city[-1])
        work = _blank(work, start, end)

    entity = _legal_entity(_fold(work), legal_entities, bare=expect == "legal_entity")

    name = _unique(_names_from_markers(work, loose=expect == "full_name"))
    if name is None and expect == "full_name":
        name = _bare_name(work)
    if name is None and (emails or customer_numbers or valid or invalid or phones or addresses):
        # "Firstname Lastname," is taken only before other details, never from a sentence alone.
        name = _leading_name(work)

    identity_number = valid[0] if len({n.digits12 for n in valid}) == 1 else None
    return Details(
        full_name=name,
        identity_number=identity_number,
        invalid_identity_number=_unique(invalid) if not valid else None,
        email=_unique(emails),
        phone=_unique(phones),
        address=_unique(addresses),
        customer_number=_unique(customer_numbers),
        legal_entity=entity,
    )
