"""Which "Om …" heading opens the about-text: one rule
(refine.chrome.is_about_heading) for the body's clean-up and the extractors'
heading reader (extract/labels.about_by_heading)."""

from __future__ import annotations

import pytest

from pressarchive.extract.labels import about_by_heading
from pressarchive.extract.page import Page
from pressarchive.refine.chrome import is_about_heading

ORG = "Norrköpings kommun"
ABOUT = "Norrköpings kommun har omkring 145 000 invånare."


@pytest.mark.parametrize(
    ("heading", "organisation", "following", "opens"),
    [
        ("Om", None, "Norrköpings kommun", True),  # Via TT's bare "Om"
        ("Om Norrköpings kommun", ORG, "Kommunen har …", True),
        ("Om Norrköpings kommun:", None, ABOUT, True),  # the text names it
        ("Om projektet", ORG, "Bygget startar i maj.", False),  # part of the release
        ("Om oss", ORG, "Vi är en förening.", False),
        ("Omsorg", ORG, ABOUT, False),
    ],
)
def test_is_about_heading(
    heading: str, organisation: str | None, following: str, opens: bool
) -> None:
    assert is_about_heading(heading, organisation, following) is opens


def page(*sections: tuple[str, str]) -> Page:
    body = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in sections)
    return Page(f"<html><body><h1>Titel</h1>{body}</body></html>", "http://127.0.0.1/r/1")


def test_the_heading_reader_passes_a_heading_of_the_release_by() -> None:
    release_part = ("Om projektet", "Bygget startar i maj och är klart 2027.")
    about = ("Om Norrköpings kommun", ABOUT)
    assert about_by_heading(page(release_part, about), ORG) == ABOUT
    assert about_by_heading(page(release_part), ORG) == ""
    assert about_by_heading(page(about)) == ABOUT  # no organisation: the text names it
