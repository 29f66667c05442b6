"""The normalising stage: dates on the record, never dropped, never raising."""

from __future__ import annotations

from datetime import UTC, datetime

from pressarchive.items import Release
from pressarchive.refine.published import normalise_dates

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def blank(**values: object) -> Release:
    return Release(source="s", platform="viatt", url="https://x/1", **values)  # type: ignore[arg-type]


def test_platform_string_becomes_utc_and_stockholm_time() -> None:
    r = normalise_dates(blank(published_raw="10.2.2025 14:24:42 CET | Norrköpings kommun"), now=NOW)
    assert r.published_at == datetime(2025, 2, 10, 13, 24, 42, tzinfo=UTC)
    assert (
        r.published_local is not None
        and r.published_local.isoformat() == "2025-02-10T14:24:42+01:00"
    )
    assert r.flags == []


def test_machine_date_from_metadata_is_kept_and_naive_means_stockholm() -> None:
    r = normalise_dates(blank(published_at=datetime(2024, 7, 1, 10, 0)), now=NOW)
    assert r.published_at == datetime(2024, 7, 1, 8, 0, tzinfo=UTC)  # CEST


def test_missing_and_unreadable_dates_are_flagged_not_dropped() -> None:
    assert normalise_dates(blank(), now=NOW).flags == ["no_date"]
    r = normalise_dates(blank(published_raw="imorgon kanske"), now=NOW)
    assert r.published_at is None and r.published_raw == "imorgon kanske"
    assert r.flags == ["date_unparsed"]


def test_yearless_date_is_inferred_and_flagged() -> None:
    r = normalise_dates(blank(published_raw="Den 16 januari"), now=NOW)
    assert r.published_at is not None and r.published_at.year == 2025
    assert "date_year_inferred" in r.flags


def test_updated_date_uses_publication_as_context() -> None:
    r = normalise_dates(
        blank(published_raw="28.12.2023 10:00:00 CET", updated_raw="Uppdaterad: 3 januari 09:15"),
        now=NOW,
    )
    assert r.updated_at == datetime(2024, 1, 3, 8, 15, tzinfo=UTC)
