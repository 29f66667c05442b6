"""Contact blocks in release bodies -> structured contacts.

A block opens with "Kontakt:", "Kontaktperson(er):", "För mer information,
kontakta:", "Presskontakt", "Mer information:" (people: role "contact") or
"Avsändare:" (role "sender"). It runs while lines look like contact lines
(a name, "Titel:", "Telefon:", an e-mail, a phone) and stops at the first
line that does not, which stays in the body.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache

import phonenumbers

from pressarchive.items import Contact

_OPENER = re.compile(
    r"^(?P<opener>kontakt(?:person(?:er)?|er)?|kontaktinformation|presskontakt(?:er)?"
    r"|för mer information,? kontakta(?: gärna)?|för ytterligare information,? kontakta"
    r"|mer information(?: lämnas av)?|ytterligare information(?: lämnas av)?)\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_SENDER = re.compile(r"^avsändare\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
_RULE = re.compile(r"^[_\-=–—\s]{5,}$")
_LABEL = re.compile(
    r"^(?P<label>titel|befattning|roll|telefon|tel|tfn|mobil|mobiltelefon|mobilnummer|växel|"
    r"e-?post|e-?mail|mejl|mail)\.?\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s\-]?(?:\(0\))?|0)\d[\d\s\-/()]{4,16}\d(?!\w)")
_PARTY = re.compile(
    r"^(?P<name>.+?)\s*\((?P<party>[A-ZÅÄÖ]{1,3}|[A-ZÅÄÖ][a-zåäö]{1,3})\)\s*(?P<rest>.*)$"
)
_NAME_WORD = re.compile(r"^(?:[A-ZÅÄÖÉÜØÆ][\w'’.\-]*|af|av|von|van|der|de|la|di|da|el|bin)$")
_NAME_PARTICLES = frozenset({"af", "av", "von", "van", "der", "de", "la", "di", "da", "el", "bin"})

# The TLDs press rooms use; any two-letter country code is accepted as well.
_KNOWN_TLDS = frozenset(
    "com org net edu gov int info biz name museum coop aero nu eu io app dev tech online "
    "site store shop news media cloud email page travel jobs law art bank insurance "
    "stockholm gotland".split()
)


@dataclass
class ContactBlock:
    """What `extract_contacts` found: contacts and the indexes of the lines it used."""

    contacts: list[Contact] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    flags: list[str] = field(default_factory=list)


@lru_cache(maxsize=1024)
def normalise_phone(raw: str) -> str | None:
    """E.164 for a Swedish (or international) number (`070-687 15 38`, `tel:+46…`
    -> `+46706871538`), None if it is not one. The one E.164 of the project.
    Cached: a room's few press contacts recur on every release, and
    phonenumbers' parse is a tenth of reading the contact cards."""
    raw = raw.strip().removeprefix("tel:")
    digits = re.sub(r"[^\d+]", "", raw)
    if len(digits) < 6:
        return None
    try:
        number = phonenumbers.parse(raw, "SE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ascii_fold(s: str) -> str:
    # organisations, hosts and names recur from release to release: short ones are remembered
    return _remembered_fold(s) if len(s) <= _REMEMBERED_CHARS else _fold(s)


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().casefold()


# What a page gives can be any size; only strings of a name's size are kept.
_REMEMBERED_CHARS = 200
_remembered_fold = lru_cache(maxsize=4096)(_fold)


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def clean_email(raw: str | None, known: Sequence[str] = ()) -> str | None:
    """An address as a page gives it (a `mailto:` link with `?subject=`, spaces
    inside) -> the address, lower case; None when it is no valid address."""
    if not raw:
        return None
    value = re.sub(r"\s+", "", raw).removeprefix("mailto:").split("?")[0]
    return value.lower() if email_is_valid(value, known) else None


def email_is_valid(email: str, known: Sequence[str] = ()) -> bool:
    """Syntax, a plausible TLD, and not a known name with junk interleaved
    (`norrkopiamng.se` is `norrkoping.se` garbled by hidden characters).
    `known` holds words the domain may be a garbled copy of: other domains of
    the release, the organisation's name."""
    if not EMAIL_RE.fullmatch(email) or ".." in email:
        return False
    domain = email.rsplit("@", 1)[1].lower()
    labels = domain.split(".")
    tld = labels[-1]
    if not (len(tld) == 2 and tld.isalpha()) and tld not in _KNOWN_TLDS:
        return False
    main = labels[-2] if len(labels) >= 2 else ""
    words = tuple(known)
    # one release's words, asked for each of its addresses: remembered when short
    small = sum(map(len, words)) <= _REMEMBERED_CHARS * 4
    stems = _remembered_stems(words) if small else _garbling_stems(words)
    return not any(
        stem != main and stem not in main and _is_subsequence(stem, main) for stem in stems
    )


def _garbling_stems(known: tuple[str, ...]) -> frozenset[str]:
    """The words (and their stems without a final s) of `known` long enough to
    tell a garbled copy by."""
    words = {w for k in known for w in re.findall(r"[a-z0-9]+", _ascii_fold(k))}
    return frozenset(stem for w in words for stem in (w, w.rstrip("s")) if len(stem) >= 5)


_remembered_stems = lru_cache(maxsize=256)(_garbling_stems)


def looks_like_name(text: str) -> bool:
    """Two to five capitalised words (particles allowed), no digits."""
    words = text.replace("\u2011", "-").split()
    if not 2 <= len(words) <= 5 or any(map(str.isdigit, text)):
        return False
    if not all(_NAME_WORD.match(w) for w in words):
        return False
    capitalised = [w for w in words if w.lower() not in _NAME_PARTICLES]
    return len(capitalised) >= 2 and not text.endswith((".", ":", "!", "?"))


def _person(text: str) -> Contact | None:
    """ "Olle Vikmång (S), ordförande" / "Helena Jalkner, presskommunikatör" / "Anna Thörn"."""
    text = text.strip().strip(",;")
    for value in EMAIL_RE.findall(text) + _PHONE.findall(text):
        text = text.replace(value, " ")
    text = _BARE_LABEL.sub("", text)
    text = _TRAILING_SEPARATORS.sub("", _SPACES.sub(" ", text))
    party = None
    match = _PARTY.match(text)
    if match:
        party = match.group("party")
        text = (match.group("name") + " " + match.group("rest")).strip()
    name, _, title = _split_title(text)
    if not looks_like_name(name):
        return None
    return Contact(name=name, party=party, title=title or None)


# A label left without its value once the phone or address is taken out.
_BARE_LABEL = re.compile(r"\b(?:tel|telefon|mobil|e-?post|mejl)\.?\s*:?\s*(?=[,;]|$)", re.I)
_SPACES = re.compile(r"\s+")
_TRAILING_SEPARATORS = re.compile(r"[\s,;]+$")
_TITLE_SEPARATOR = re.compile(r"\s*,\s*|\s+[–—-]\s+")


def _split_title(text: str) -> tuple[str, str, str]:
    parts = _TITLE_SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip(), ",", parts[1].strip()
    return text.strip(), "", ""


def _contact_values(line: str, contact: Contact, flags: list[str], known: Sequence[str]) -> bool:
    """Phones and e-mails anywhere in the line go to `contact`. True if any."""
    found = False
    for email in EMAIL_RE.findall(line):
        found = True
        if email_is_valid(email, known):
            contact.email = contact.email or email.lower()
        elif "email_invalid" not in flags:
            flags.append("email_invalid")
    rest = EMAIL_RE.sub(" ", line)
    for raw in _PHONE.findall(rest):
        phone = normalise_phone(raw)
        if phone:
            found = True
            contact.phone = contact.phone or phone
    return found


def _labelled(line: str, contact: Contact, flags: list[str], known: Sequence[str]) -> bool:
    match = _LABEL.match(line)
    if not match:
        return False
    label, value = match.group("label").lower(), match.group("value").strip()
    if label in ("titel", "befattning", "roll"):
        contact.title = contact.title or value or None
        return True
    if not _contact_values(value, contact, flags, known) and value:
        flags.append("contact_value_unparsed")
    return True


def extract_contacts(lines: Sequence[str], *, known_domains: Sequence[str] = ()) -> ContactBlock:
    """Find contact blocks in the body's lines (one entry per block line)."""
    result = ContactBlock()
    role: str | None = None
    current: Contact | None = None
    opener_at = -1

    def close() -> None:
        nonlocal current
        if current is not None:
            result.contacts.append(current)
            current = None

    for i, raw in enumerate(lines):
        line = raw.strip()
        if _RULE.match(line) and line:
            result.used.add(i)
            continue
        sender = _SENDER.match(line)
        opener = _OPENER.match(line) if not sender else None
        if opener and opener.group("rest") and not _person_or_value(opener.group("rest")):
            opener = None  # "Mer information: finns på webben" is prose
        head = sender or opener
        if head is not None:
            close()
            role = "sender" if sender else "contact"
            opener_at = i
            result.used.add(i)
            rest = head.group("rest")
            if rest:
                current = _person(rest) or Contact(name="")
                found = _contact_values(rest, current, result.flags, known_domains)
                if not current.name and not found:
                    current.organisation = rest  # "Avsändare: Norrköpings kommun"
                current.role = role
            continue
        if role is None:
            continue
        if current is not None and _labelled(line, current, result.flags, known_domains):
            result.used.add(i)
            continue
        person = _person(line)
        if person is not None:
            close()
            person.role = role
            _contact_values(line, person, result.flags, known_domains)
            current = person
            result.used.add(i)
            continue
        probe = current or Contact(name="", role=role)
        if (EMAIL_RE.search(line) or _PHONE.search(line)) and len(line) < 120:
            _contact_values(line, probe, result.flags, known_domains)
            current = probe
            result.used.add(i)
            continue
        if i == opener_at + 1 and current is None and len(line) < 80 and not line.endswith("."):
            # a unit rather than a person: "Utrednings- och utvecklingsenheten"
            current = Contact(name="", role=role, organisation=line)
            result.used.add(i)
            continue
        close()
        role = None
    close()
    result.contacts = [_finish(c) for c in result.contacts if c.name or c.organisation]
    return result


# A card's phone and e-mail lines: "Telefon: 070-…", "Tel 011-…", "E-post: …" or the bare address.
_CARD_PHONE = re.compile(
    r"^(?:tel(?:efon)?|tfn|mobil(?:telefon|nummer)?)\.?\s*:?\s*(?P<value>.+)$", re.I
)
_CARD_EMAIL_LABEL = re.compile(r"^(?:e-?post|e-?mail|mejl|mail)\.?\s*:?\s*", re.I)


@dataclass
class Card:
    """A contact card's lines, read: the values as the card shows them."""

    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


def read_card(lines: Sequence[str]) -> Card | None:
    """A contact card (one person per element, as Mynewsdesk's, Cision's and
    Sitevision's cards show it): the name first, then its title, a phone line
    and an e-mail line in any order. `extract_contacts` reads contact blocks in
    running text instead, where a title stands on the name's line."""
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return None
    card = Card(lines[0])
    for line in lines[1:]:
        phone = _CARD_PHONE.match(line)
        address = _CARD_EMAIL_LABEL.sub("", line)
        if phone:
            card.phone = card.phone or phone.group("value")
        elif EMAIL_RE.fullmatch(address):
            card.email = card.email or address
        elif not card.title:
            card.title = line
    return card


def _person_or_value(text: str) -> bool:
    return bool(_person(text) or EMAIL_RE.search(text) or _PHONE.search(text))


def _finish(contact: Contact) -> Contact:
    """A unit with no person is listed under the unit's name."""
    if not contact.name and contact.organisation:
        contact.name = contact.organisation
    return contact


def name_key(name: str) -> str:
    return _remembered_name_key(name) if len(name) <= _REMEMBERED_CHARS else _name_key(name)


def _name_key(name: str) -> str:
    folded = _ascii_fold(name)
    return " ".join(re.sub(r"[^a-z ]", " ", folded).split())


_remembered_name_key = lru_cache(maxsize=4096)(_name_key)


def merge_contacts(existing: Sequence[Contact], found: Sequence[Contact]) -> list[Contact]:
    """Existing contacts first, each person once per role (by normalised
    name), the richer value kept for every field."""
    merged: list[Contact] = []
    by_key: dict[str, Contact] = {}
    for contact in [*existing, *found]:
        person = name_key(contact.name)
        if not person:
            continue
        # A press-contact card and the sender line of the same person are two
        # links (two roles); within one role the person is listed once.
        key = f"{person}|{contact.role}"
        if key not in by_key:
            copy = Contact(**{name: getattr(contact, name) for name in _CONTACT_FIELDS})
            by_key[key] = copy
            merged.append(copy)
            continue
        kept = by_key[key]
        for name in _CONTACT_FIELDS:
            if name in ("name", "role"):
                continue
            old, new = getattr(kept, name), getattr(contact, name)
            if new and (not old or (len(str(new)) > len(str(old)) and name == "title")):
                setattr(kept, name, new)
    return merged


_CONTACT_FIELDS = tuple(f.name for f in fields(Contact))


def clean_contact(contact: Contact, known: Sequence[str], flags: list[str]) -> Contact:
    """Phones to E.164, garbled e-mails dropped (flag `email_invalid`)."""
    if contact.phone and not contact.phone.startswith("+"):
        contact.phone = normalise_phone(contact.phone) or contact.phone
    if contact.email:
        contact.email = clean_email(contact.email, known)
        if contact.email is None and "email_invalid" not in flags:
            flags.append("email_invalid")
    name = re.sub(r"\s+", " ", contact.name).strip()
    match = _PARTY.match(name)
    if match and not contact.party:
        contact.party = match.group("party")
        name = (match.group("name") + " " + match.group("rest")).strip()
    contact.name = name
    return contact
