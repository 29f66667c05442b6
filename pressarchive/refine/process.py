"""The one path from an extracted record to the record the archive stores.

`STAGES` is that path, written down once. Every way in runs it: the crawl's
refine pipeline (pipelines/refine.py), the worker processes that read release
pages (crawl.pool), `pressarchive extract`, `pressarchive reextract` (which
replays archived pages through the crawl's pipelines) and the re-cleaning with
a newer about-text model (`reprocess`, from the stored extraction) — so every
way in gives the same rows.

A run of the stages marks the release `refined`; the crawl's refine pipeline
leaves a refined release alone (it was read and refined in a worker).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pressarchive.dedupe.urls import canonical_url, platform_release_id
from pressarchive.items import Release
from pressarchive.refine.about_model import AboutModel
from pressarchive.refine.cleaning import refine
from pressarchive.refine.published import normalise_dates


class Cleaning(Protocol):
    """How the clean stage gets the source's about-text model: one fixed beforehand
    (`WithModel`), or one learned as a crawl goes (crawl.pool.LearningCleaning)."""

    def clean(self, release: Release) -> Release: ...


@dataclass(frozen=True)
class WithModel:
    """Clean with this about-text model (learned from the archive), or with none."""

    about: AboutModel | None = None

    def clean(self, release: Release) -> Release:
        return refine(release, about=self.about)


@dataclass(frozen=True)
class Context:
    """What the stages are given besides the release."""

    cleaning: Cleaning = field(default_factory=WithModel)
    # "now" for relative dates ("igår"); None: the clock.
    now: datetime | None = None


Stage = Callable[[Release, Context], Release]


def assign_keys(release: Release) -> Release:
    """The keys that make one release one row: canonical URL and platform id."""
    release.canonical_url = canonical_url(release.url, canonical_link=release.canonical_url)
    if not release.platform_id:
        release.platform_id = platform_release_id(
            release.platform, release.url
        ) or platform_release_id(release.platform, release.canonical_url)
    return release


def dates_stage(release: Release, context: Context) -> Release:
    """The dates as instants in UTC (and local time), from what the page said."""
    return normalise_dates(release, now=context.now)


def keep_extraction_stage(release: Release, context: Context) -> Release:
    """The record as extracted (its dates read), kept so that the cleaning can
    be run again without the page when the about-text model changes."""
    release.extracted = release.to_json_dict()
    release.extracted_text = None  # made from this extraction when first asked for
    return release


def clean_stage(release: Release, context: Context) -> Release:
    """The body without chrome and about-text; contacts, events, language."""
    return context.cleaning.clean(release)


def keys_stage(release: Release, context: Context) -> Release:
    return assign_keys(release)


STAGES: tuple[Stage, ...] = (dates_stage, keep_extraction_stage, clean_stage, keys_stage)

# A stored extraction was dated and kept already: cleaning it again starts here.
CLEANING_STAGES: tuple[Stage, ...] = STAGES[STAGES.index(clean_stage) :]


def run_stages(release: Release, stages: tuple[Stage, ...], context: Context) -> Release:
    for stage in stages:
        release = stage(release, context)
    release.refined = True
    return release


def process(
    release: Release,
    *,
    about: AboutModel | None = None,
    now: datetime | None = None,
    cleaning: Cleaning | None = None,
) -> Release:
    """All the stages on an extracted record: cleaned with `cleaning`, or else
    with the about-text model `about`."""
    return run_stages(release, STAGES, Context(cleaning or WithModel(about), now))


def reprocess(extracted: dict[str, object], *, about: AboutModel | None) -> Release:
    """Clean a stored extraction again (its dates are already normalised). The
    release gets its own copy: cleaning flags and layers must not reach the
    extraction, which is stored again beside the release as it was extracted."""
    release = Release.from_json_dict(copy.deepcopy(extracted))
    release.extracted = dict(extracted)
    return run_stages(release, CLEANING_STAGES, Context(WithModel(about)))
