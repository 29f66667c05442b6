"""Save release pages rendered by the demo press rooms into the golden set,
with their expected values written from the corpus record that rendered them.

Run once (`.venv/bin/python tests/golden/build_fixture_pages.py`) and commit
the output; the tests read the saved files, never this script. The expected
values come from `pressarchive.demo.corpus` and from what each platform's room
shows of a record (which paragraphs land in the body, whether the sender or an
about-text is on the page), never from the extractor.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pressarchive.demo import cision, corpus, generic, mynewsdesk, sitevision, viatt
from pressarchive.demo.corpus import DemoContact, DemoRelease

HERE = Path(__file__).parent
PER_PLATFORM = 7
HOSTS = {
    "mynewsdesk": "https://www.mynewsdesk.com",
    "viatt": "https://via.tt.se",
    "sitevision": "https://norrkoping.se",
    "cision": "https://news.cision.com",
    "generic": "https://nyheter.norrkoping.example",
}
# Pages whose expectations were read side by side with the rendered page (README).
CHECKED_BY_HAND = {
    "fixture_mynewsdesk_r039",
    "fixture_viatt_r134",
    "fixture_sitevision_r187",
    "fixture_cision_r135",
    "fixture_generic_r183",
}
# Specials that test the crawler, not the extractor (a 404, a flaky 500).
SKIP_KEYS = {corpus.MISSING_KEY, corpus.FLAKY_KEY}


def contact_dict(contact: DemoContact, role: str, *, with_email: bool = True) -> dict[str, Any]:
    return {
        "name": contact.name,
        "role": role,
        "title": contact.title,
        "party": contact.party,
        "phone": contact.phone_e164,
        "email": contact.email if with_email else None,
    }


def event_dict(release: DemoRelease) -> dict[str, Any] | None:
    if release.event is None:
        return None
    return {"starts_at": release.event.starts_at.isoformat(), "place": release.event.place}


def body_paragraphs(release: DemoRelease, platform: str) -> list[str]:
    paragraphs = list(release.paragraphs)
    event = release.event
    if event is None:
        return paragraphs
    # Via TT's room adds its own "Tid:/Plats:" block below the text (Mynewsdesk's
    # shows the corpus paragraph that already carries them, once).
    if platform == "viatt":
        paragraphs.append(f"Tid: {event.date_text}, {event.time_text}\nPlats: {event.place}")
    return paragraphs


def press_contact_cards() -> list[dict[str, Any]]:
    """Mynewsdesk's "Kontakter" cards: the room's first three press officers,
    titles capitalised as the cards show them, e-mails as a reader sees them."""
    cards = []
    for contact in corpus.SENDERS[:3]:
        card = contact_dict(contact, "press_contact")
        card["title"] = contact.title.capitalize()
        cards.append(card)
    return cards


def expected_contacts(release: DemoRelease, platform: str) -> list[dict[str, Any]]:
    # Mynewsdesk's "Kontaktperson:" block shows no e-mail; the other rooms do.
    with_email = platform != "mynewsdesk"
    contacts = [contact_dict(c, "contact", with_email=with_email) for c in release.contacts]
    if platform == "mynewsdesk":
        contacts += press_contact_cards()
    sender = release.sender
    if sender is None:
        return contacts
    if platform in ("viatt", "mynewsdesk"):
        # "Avsändare: name, title / Telefon:" with no e-mail on the page.
        contacts.append(contact_dict(sender, "sender", with_email=False))
    elif platform == "cision":
        # Cision lists the sender among the "Kontakter" cards, with no role shown.
        contacts.append(contact_dict(sender, "contact"))
    return contacts


def expected_about(release: DemoRelease, platform: str) -> str:
    if platform in ("viatt", "cision", "mynewsdesk"):
        return corpus.about_text(platform, release.published)
    return ""


def expected(release: DemoRelease, platform: str, name: str, url: str) -> dict[str, Any]:
    return {
        "page": f"{name}.html",
        "platform": platform,
        "source_id": f"norrkoping-{platform}",
        "url": url,
        "origin": f"fixture: pressarchive.demo.{platform}, corpus key {release.key}",
        "checked_by_hand": name in CHECKED_BY_HAND,
        "title": release.title,
        "kind": release.kind,
        "lead": release.lead,
        "body": "\n\n".join(body_paragraphs(release, platform)),
        "body_exact": True,
        "about_text": expected_about(release, platform),
        "contacts": expected_contacts(release, platform),
        "event": event_dict(release),
    }


def chosen(platform: str) -> list[DemoRelease]:
    """Every press invitation's first two, the encoding and no-date specials
    where the platform has them, then releases spread over the years."""
    releases = [
        r
        for r in corpus.releases_for(platform)
        if r.key not in SKIP_KEYS and not r.key.startswith("s")
    ]
    picks = [r for r in releases if r.kind == "pressinbjudan"][:2]
    picks += [r for r in releases if r.key in (corpus.LATIN1_KEY, corpus.NO_DATE_KEY)]
    step = max(1, len(releases) // PER_PLATFORM)
    for release in releases[::step]:
        if len(picks) >= PER_PLATFORM:
            break
        if release not in picks:
            picks.append(release)
    return picks


def paths(platform: str, releases: list[DemoRelease]) -> dict[str, str]:
    if platform == "viatt":
        state = viatt.make_room().edition_state(1)
        return {item.release.key: item.path for item in state.listed}
    module = {
        "mynewsdesk": mynewsdesk,
        "sitevision": sitevision,
        "cision": cision,
        "generic": generic,
    }[platform]
    return {r.key: module.release_path(r) for r in releases}


def rooms() -> dict[str, Any]:
    return {
        "mynewsdesk": mynewsdesk.make_room(),
        "viatt": viatt.make_room(),
        "sitevision": sitevision.make_room(),
        "cision": cision.make_room(),
        "generic": generic.make_room(),
    }


def build() -> list[str]:
    written = []
    for platform, room in rooms().items():
        releases = chosen(platform)
        by_key = paths(platform, releases)
        for release in releases:
            path = by_key[release.key]
            parts = urlsplit(path)
            reply = room.respond(parts.path, parse_qs(parts.query), edition=1)
            if reply.status != 200:
                raise SystemExit(f"{platform} {release.key}: HTTP {reply.status}")
            name = f"fixture_{platform}_{release.key}"
            (HERE / f"{name}.html").write_bytes(reply.body)
            record = expected(release, platform, name, HOSTS[platform] + path)
            text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
            (HERE / f"{name}.json").write_text(text, encoding="utf-8")
            written.append(name)
    return written


if __name__ == "__main__":
    for name in build():
        print(name)
