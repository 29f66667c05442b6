"""Press invitations -> events (pressarchive.refine.events)."""

from __future__ import annotations

from datetime import UTC, datetime

from pressarchive.items import Event
from pressarchive.refine.events import announces_event, extract_events, is_invitation

PUBLISHED = datetime(2025, 2, 10, 13, 24, tzinfo=UTC)


def test_labelled_lines_with_a_range() -> None:
    lines = [
        "Media är välkomna på pressträff.",
        "Datum: tisdag 11 februari",
        "Tid: 11.30–12.30",
        "Plats: Rådhuset, Drottninggatan 5, Norrköping",
    ]
    assert extract_events(lines, context=PUBLISHED) == [
        Event(
            starts_at=datetime(2025, 2, 11, 10, 30, tzinfo=UTC),
            ends_at=datetime(2025, 2, 11, 11, 30, tzinfo=UTC),
            place="Rådhuset, Drottninggatan 5, Norrköping",
            raw="tisdag 11 februari kl. 11.30–12.30",
        )
    ]


def test_prose_date_and_time() -> None:
    lines = ["Media är välkomna på pressträff tisdag den 11 februari klockan 11.30 i Rådhuset."]
    (event,) = extract_events(lines, context=PUBLISHED)
    assert event.starts_at == datetime(2025, 2, 11, 10, 30, tzinfo=UTC)
    assert event.ends_at is None
    assert event.raw == "tisdag den 11 februari klockan 11.30"


def test_prose_weekday_date_without_time_across_new_year() -> None:
    lines = ["Torsdagen den 18 januari ska tekniska nämnden fatta beslut om Femöresbrons framtid."]
    (event,) = extract_events(lines, context=datetime(2018, 1, 10, 7, 0, tzinfo=UTC))
    assert event.starts_at == datetime(2018, 1, 17, 23, 0, tzinfo=UTC)  # midnight Stockholm


def test_summer_time() -> None:
    lines = ["Datum: 12 juni 2025", "Tid: kl. 09.00"]
    (event,) = extract_events(lines, context=PUBLISHED)
    assert event.starts_at == datetime(2025, 6, 12, 7, 0, tzinfo=UTC)


def test_place_alone_and_nothing() -> None:
    assert extract_events(["Plats: Stadsbiblioteket"]) == [
        Event(place="Stadsbiblioteket", raw="Plats: Stadsbiblioteket")
    ]
    assert extract_events(["Beslutet fattades 2017 av nämnden."]) == []


def test_is_invitation() -> None:
    assert is_invitation("pressinbjudan", "Ny bro")
    assert is_invitation("pressmeddelande", "Pressinbjudan: Möjliga alternativ för Femöresbron")
    assert not is_invitation("pressmeddelande", "Det blir en ny bro över Motala ström")


def test_labels_sharing_one_line() -> None:
    lines = ["Tid: Fredag den 24 mars, klockan 14.15. Plats: Rådhuset, Drottninggatan 4."]
    (event,) = extract_events(lines, context=datetime(2023, 3, 1, tzinfo=UTC))
    assert event.starts_at == datetime(2023, 3, 24, 13, 15, tzinfo=UTC)
    assert event.place == "Rådhuset, Drottninggatan 4"


def test_a_press_release_that_announces_a_press_conference() -> None:
    assert announces_event("Pressträff med Ulf Kristersson och Jimmie Åkesson", "")
    assert announces_event("Nytt valmanifest", "Partiet bjuder in till presskonferens i dag.")
    assert not announces_event("Ny förskola i Kolmården", "Bygget börjar i maj.")


def test_labelled_only_ignores_a_date_in_prose() -> None:
    prose = ["Vi höll en presskonferens tisdag den 11 februari klockan 11.30 i Rådhuset."]
    assert extract_events(prose, context=PUBLISHED, labelled_only=True) == []
    labelled = ["Tid: Klockan 11.30", "Plats: Rådhuset"]
    (event,) = extract_events(labelled, context=PUBLISHED, labelled_only=True)
    assert event.starts_at == datetime(2025, 2, 10, 10, 30, tzinfo=UTC)
    assert event.place == "Rådhuset"
