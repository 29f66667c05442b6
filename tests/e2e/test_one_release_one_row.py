"""End to end: one release, one row, on all five fixture press rooms.

One scenario, built once per module in stages (each a module fixture, so a
test asks only for the stage it reads):

1. `first`: the five rooms are started and crawled in full; a copy of the
   archive is kept as that crawl left it.
2. `second`: time passes (edition 2: one Via TT release edited, one new
   release per room) and an incremental crawl runs.
3. `online_replay`: `pressarchive reextract` with the rooms still up (the
   rooms' request log proves it fetched nothing).
4. `offline_replay`: the rooms' context is exited and proxies point at a
   closed port, then `reextract` runs again.

A separate, smaller scenario (`variants`) crawls the Via TT and Mynewsdesk
rooms twice, the second time with every release linked by another URL
variant (tracking parameters, `lang` toggled, the other Mynewsdesk URL
generation), to show that a variant never makes a second row.

Rows are mapped back to corpus releases by title (titles are unique per
corpus key; a release on two platforms keeps its key and title).
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from html import escape, unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from click.testing import CliRunner

from pressarchive.cli.main import main
from pressarchive.crawl.runner import CrawlResult, run_crawl
from pressarchive.demo import mynewsdesk as mynewsdesk_room
from pressarchive.demo import viatt as viatt_room
from pressarchive.demo.corpus import (
    EDITED_KEY,
    FLAKY_KEY,
    MISSING_KEY,
    PLATFORMS,
    DemoRelease,
    about_text,
    releases_for,
)
from pressarchive.demo.server import DemoPressRooms, Reply, Room
from pressarchive.sources import Source, parse_sources

from .helpers import QUICK_SETTINGS
from .helpers import rows as archive_rows

VENV_BIN = Path(sys.executable).parent
TEST_SETTINGS: dict[str, Any] = {**QUICK_SETTINGS, "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0}
# What reextract must leave exactly as it was. Part tables are compared
# without their surrogate ids: a rewrite with equal content is still equal,
# while `releases` keeps every column (last_seen_at and crawl_id included).
SNAPSHOT_QUERIES: dict[str, str] = {
    "releases": "SELECT * FROM releases ORDER BY id",
    "contacts": "SELECT * FROM contacts ORDER BY id",
    "release_contacts": "SELECT * FROM release_contacts ORDER BY release_id, role, contact_id",
    "tags": "SELECT * FROM tags ORDER BY id",
    "release_tags": "SELECT * FROM release_tags ORDER BY release_id, tag_id",
    "images": "SELECT release_id, position, url, caption FROM images ORDER BY release_id, position",
    "attachments": (
        "SELECT release_id, position, url, title FROM attachments ORDER BY release_id, position"
    ),
    "events": (
        "SELECT release_id, starts_at, ends_at, place, raw FROM events "
        "ORDER BY release_id, starts_at, place, raw"
    ),
    "revisions": "SELECT * FROM revisions ORDER BY id",
    "release_signatures": "SELECT * FROM release_signatures ORDER BY release_id",
    "warc_records": "SELECT * FROM warc_records ORDER BY id",
}

Snapshot = dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]  # table -> columns, rows


# --------------------------------------------------------------------- helpers


def folded(title: str) -> str:
    return " ".join(unicodedata.normalize("NFC", title).split()).casefold()


def corpus_keys_by_title(platform: str) -> dict[str, str]:
    """Title -> corpus key for everything `platform` ever publishes (both editions)."""
    keys: dict[str, str] = {}
    for edition in (1, 2):
        for release in releases_for(platform, edition=edition):
            keys[folded(release.title)] = release.key
    return keys


def expected_keys(platform: str, *, edition: int = 1) -> set[str]:
    """The releases a crawl of `platform` must store (the always-404 page cannot be)."""
    return {r.key for r in releases_for(platform, edition=edition)} - {MISSING_KEY}


def query(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    return archive_rows(db, sql, *args, read_only=True)


def copy_archive(db: Path, dest: Path) -> Path:
    """A consistent copy of the archive (the WAL included) as it is now."""
    source = sqlite3.connect(db)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return dest


def snapshot(db: Path) -> Snapshot:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        taken: Snapshot = {}
        for table, sql in SNAPSHOT_QUERIES.items():
            cursor = conn.execute(sql)
            columns = tuple(d[0] for d in cursor.description)
            taken[table] = (columns, cursor.fetchall())
        return taken
    finally:
        conn.close()


def snapshot_differences(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs, per table: the row count, how many rows changed, and the
    first changed row's differing columns."""
    problems = []
    for table, (columns, old) in before.items():
        new = after[table][1]
        if old == new:
            continue
        changed = [(a, b) for a, b in zip(old, new, strict=False) if a != b]
        detail = ""
        if changed:
            a, b = changed[0]
            detail = f"{columns[0]}={a[0]!r} " + ", ".join(
                f"{column}: {x!r:.80} -> {y!r:.80}"
                for column, x, y in zip(columns, a, b, strict=True)
                if x != y
            )
        problems.append(
            f"{table}: {len(old)} -> {len(new)} rows, {len(changed)} changed; first: {detail}"
        )
    return problems


@dataclass
class KeyedRow:
    id: int
    key: str | None
    platform: str
    title: str
    url: str
    canonical_url: str
    platform_id: str | None
    cluster_id: int
    published_at: str | None


def keyed_rows(db: Path) -> list[KeyedRow]:
    titles = {platform: corpus_keys_by_title(platform) for platform in PLATFORMS}
    return [
        KeyedRow(
            id=row["id"],
            key=titles.get(row["platform"], {}).get(folded(row["title"])),
            platform=row["platform"],
            title=row["title"],
            url=row["url"],
            canonical_url=row["canonical_url"],
            platform_id=row["platform_id"],
            cluster_id=row["cluster_id"],
            published_at=row["published_at"],
        )
        for row in query(
            db,
            "SELECT id, platform, title, url, canonical_url, platform_id, cluster_id, "
            "published_at FROM releases ORDER BY id",
        )
    ]


def dead_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refuses_connections(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return False
    except OSError:
        return True


def reextract(db: Path, sources_file: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["reextract", "--db", str(db), "--sources", str(sources_file)]
    )
    return result.exit_code, result.output + (repr(result.exception) if result.exception else "")


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "warcio"), *args], capture_output=True, text=True, check=False, timeout=120
    )


# ------------------------------------------------------------ the scenario


@dataclass
class Scenario:
    db: Path
    sources_file: Path
    sources: list[Source]
    rooms: DemoPressRooms
    stack: ExitStack  # holds the rooms' context; closing it stops them
    port_platform: dict[int, str]
    start_urls: dict[str, str]
    first: list[CrawlResult]
    first_db: Path  # a copy of the archive as the first crawl left it
    first_requests: int  # how many requests the rooms had served by then
    second: list[CrawlResult] = field(default_factory=list)
    second_db: Path | None = None
    second_requests: int = 0  # requests served up to the end of the second crawl


@dataclass
class Replay:
    exit_code: int
    output: str
    before: Snapshot
    after: Snapshot
    requests_before: int
    requests_after: int
    crawl_rows: list[sqlite3.Row]


def crawl(scenario_db: Path, sources: list[Source], *, full: bool) -> list[CrawlResult]:
    return run_crawl(
        sources, db=scenario_db, full=full, settings_overrides=TEST_SETTINGS, quiet=True
    )


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    home = tmp_path_factory.mktemp("one-row")
    db = home / "archive.db"
    with ExitStack() as stack:
        rooms = stack.enter_context(DemoPressRooms(PLATFORMS))
        sources_file = home / "sources.toml"
        sources_file.write_text(rooms.sources_toml(), encoding="utf-8")
        sources = parse_sources(rooms.sources_toml(), origin="demo rooms")
        results = crawl(db, sources, full=True)
        yield Scenario(
            db=db,
            sources_file=sources_file,
            sources=sources,
            rooms=rooms,
            stack=stack,
            port_platform={int(urlsplit(rooms.base_url(p)).port or 0): p for p in rooms.platforms},
            start_urls={p: rooms.url(p) for p in rooms.platforms},
            first=results,
            first_db=copy_archive(db, home / "after-first-crawl.db"),
            first_requests=len(rooms.requests),
        )


@pytest.fixture(scope="module")
def second(first: Scenario) -> Scenario:
    first.rooms.advance()
    first.second = crawl(first.db, first.sources, full=False)
    first.second_requests = len(first.rooms.requests)
    first.second_db = copy_archive(first.db, first.db.with_name("after-second-crawl.db"))
    return first


def _replay(scenario: Scenario) -> Replay:
    before = snapshot(scenario.db)
    (last_crawl,) = query(scenario.db, "SELECT COALESCE(MAX(id), 0) AS id FROM crawls")
    requests_before = len(scenario.rooms.requests)
    exit_code, output = reextract(scenario.db, scenario.sources_file)
    return Replay(
        exit_code=exit_code,
        output=output,
        before=before,
        after=snapshot(scenario.db),
        requests_before=requests_before,
        requests_after=len(scenario.rooms.requests),
        crawl_rows=query(scenario.db, "SELECT * FROM crawls WHERE id > ?", last_crawl["id"]),
    )


@pytest.fixture(scope="module")
def online_replay(second: Scenario) -> Replay:
    return _replay(second)


@pytest.fixture(scope="module")
def offline_replay(online_replay: Replay, second: Scenario) -> Replay:
    second.stack.close()  # exits the DemoPressRooms context: nothing listens any more
    assert all(refuses_connections(url) for url in second.start_urls.values())
    # Any request that still escaped would go to a proxy that is not there.
    proxy = f"http://127.0.0.1:{dead_port()}"
    with pytest.MonkeyPatch.context() as env:
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env.setenv(name, proxy)
        for name in ("no_proxy", "NO_PROXY"):
            env.delenv(name, raising=False)
        return _replay(second)


# ------------------------------------------------------- one release, one row


def test_every_source_finished(second: Scenario) -> None:
    for result in [*second.first, *second.second]:
        assert result.status == "finished", (result.source_id, result.errors[:3])
    assert {r.source_id for r in second.first} == {f"demo-{p}" for p in PLATFORMS}


def test_each_corpus_release_is_one_row_per_platform(first: Scenario) -> None:
    rows = keyed_rows(first.first_db)
    unknown = [(r.platform, r.title) for r in rows if r.key is None]
    assert not unknown, f"rows that are no corpus release: {unknown[:5]}"
    for platform in PLATFORMS:
        keys = Counter(r.key for r in rows if r.platform == platform)
        twice = {key: n for key, n in keys.items() if n > 1}
        assert not twice, f"{platform}: releases stored more than once: {twice}"
        assert set(keys) == expected_keys(platform), platform
    assert len(rows) == sum(len(expected_keys(p)) for p in PLATFORMS)


def test_unique_releases_has_one_row_per_corpus_release(first: Scenario) -> None:
    distinct = set().union(*(expected_keys(p) for p in PLATFORMS))
    (count,) = query(first.first_db, "SELECT COUNT(*) AS n FROM unique_releases")
    assert count["n"] == len(distinct)


# --------------------------------------------------------------- clustering


def shared_releases() -> dict[str, dict[str, datetime]]:
    """Key -> {platform: publication time there}, for the cross-platform releases."""
    shown: dict[str, dict[str, datetime]] = defaultdict(dict)
    for platform in PLATFORMS:
        for release in releases_for(platform):
            if len(release.platforms) > 1:
                shown[release.key][platform] = release.published
    return dict(shown)


def test_the_fixture_has_cross_platform_duplicates() -> None:
    shared = shared_releases()
    assert len(shared) >= 6
    assert all(len(copies) == 2 for copies in shared.values())
    assert all(len(set(copies.values())) == 2 for copies in shared.values())  # minutes apart


def test_cross_platform_copies_share_a_cluster_headed_by_the_earliest(first: Scenario) -> None:
    rows = keyed_rows(first.first_db)
    heads = {
        row["cluster_id"]: row
        for row in query(
            first.first_db, "SELECT id, cluster_id, platform, published_at FROM unique_releases"
        )
    }
    for key, published_on in shared_releases().items():
        members = [r for r in rows if r.key == key]
        assert sorted(r.platform for r in members) == sorted(published_on), key
        clusters = {r.cluster_id for r in members}
        assert len(clusters) == 1, (key, [(r.platform, r.id, r.cluster_id) for r in members])
        head = heads[clusters.pop()]
        earliest_platform = min(published_on, key=lambda platform: published_on[platform])
        assert head["id"] in {r.id for r in members}, key
        assert head["platform"] == earliest_platform, key
        assert datetime.fromisoformat(head["published_at"]) == published_on[earliest_platform]


def test_no_cluster_holds_two_different_releases(first: Scenario) -> None:
    clusters: dict[int, set[str | None]] = defaultdict(set)
    for row in keyed_rows(first.first_db):
        clusters[row.cluster_id].add(row.key)
    merged = {cluster: keys for cluster, keys in clusters.items() if len(keys) > 1}
    assert not merged, f"distinct releases clustered together: {merged}"


def test_releases_sharing_about_text_and_sender_stay_apart(first: Scenario) -> None:
    """The boilerplate a room repeats on every page (the about-text, the sender's
    contact block) must not make two releases look like one."""
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for platform in PLATFORMS:
        for release in releases_for(platform):
            sender = release.sender.name if release.sender else ""
            groups[(platform, about_text(platform, release.published), sender)].add(release.key)
    alike = {group: keys for group, keys in groups.items() if len(keys) > 1}
    assert sum(len(keys) for keys in alike.values()) >= 20  # the fixture does test this
    cluster_of = {(r.platform, r.key): r.cluster_id for r in keyed_rows(first.first_db)}
    for (platform, _, sender), keys in alike.items():
        stored = [cluster_of[(platform, key)] for key in keys if (platform, key) in cluster_of]
        assert len(stored) == len(set(stored)), (platform, sender, sorted(keys))


# ------------------------------------------------------------- URL variants


def test_viatt_lang_variant_is_not_part_of_the_key(first: Scenario) -> None:
    rows = [r for r in keyed_rows(first.first_db) if r.platform == "viatt"]
    with_lang = [r for r in rows if "lang=" in r.url]
    assert with_lang, "the room links some releases with &lang=sv"
    for row in rows:
        assert "lang=" not in row.canonical_url, row.canonical_url
        assert row.platform_id and row.platform_id in row.canonical_url
    assert len({r.platform_id for r in rows}) == len(rows)


_VIATT_LINK = re.compile(
    r'(<a\b[^>]*\bhref=")(/pressmeddelande/[^"]+)(")|(<link>)(/pressmeddelande/[^<]+)(</link>)'
)
_MND_LINK = re.compile(r'(<a\b[^>]*\bhref=")(/se/[^"]*?-\d+)(")')
_MND_OLD = re.compile(r"^/se/pressroom/([^/]+)/(pressrelease|news|event)/view/([^/?]+)$")
_MND_NEW = re.compile(r"^/se/([^/]+)/(pressreleases|news|events)/([^/?]+)$")
_MND_OLD_TO_NEW = {"pressrelease": "pressreleases", "news": "news", "event": "events"}
_MND_NEW_TO_OLD = {new: old for old, new in _MND_OLD_TO_NEW.items()}
TRACKING = [("utm_source", "nyhetsbrev"), ("utm_medium", "email"), ("fbclid", "IwAR0x")]


def viatt_variant(path: str) -> str:
    """The same release, linked as a newsletter would: `lang` toggled, tracking
    parameters added, the parameters in another order."""
    parts = urlsplit(path)
    params = parse_qsl(parts.query)
    has_lang = any(name == "lang" for name, _ in params)
    params = [(n, v) for n, v in params if n != "lang"] + ([] if has_lang else [("lang", "sv")])
    return f"{parts.path}?{urlencode([*TRACKING[:2], *reversed(params), TRACKING[2]])}"


def mynewsdesk_variant(path: str) -> str:
    """The other URL generation of the same release (Mynewsdesk serves both)."""
    old = _MND_OLD.match(path)
    if old:
        room, kind, slug = old.groups()
        return f"/se/{room}/{_MND_OLD_TO_NEW[kind]}/{slug}"
    new = _MND_NEW.match(path)
    if new:
        room, kind, slug = new.groups()
        return f"/se/pressroom/{room}/{_MND_NEW_TO_OLD[kind]}/view/{slug}"
    return path


@dataclass
class VariantLinks:
    """A room whose pages link every release by a URL variant once `on`, and
    which answers a variant the way the real platform does (the same page)."""

    inner: Room
    platform: str
    on: bool = False

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        reply = self.inner.respond(path, query, edition=edition)
        if reply.status == 404 and self.platform == "mynewsdesk":
            other = mynewsdesk_variant(path)
            if other != path:
                reply = self.inner.respond(other, query, edition=edition)
        if not self.on or reply.status != 200:
            return reply
        content_type = reply.headers.get("Content-Type", "")
        if "html" not in content_type and "xml" not in content_type:
            return reply
        text = reply.body.decode("utf-8")
        return Reply(reply.status, self._relinked(text).encode("utf-8"), reply.headers)

    def _relinked(self, text: str) -> str:
        if self.platform == "viatt":
            return _VIATT_LINK.sub(_swap_viatt_link, text)
        return _MND_LINK.sub(
            lambda m: m.group(1) + mynewsdesk_variant(m.group(2)) + m.group(3), text
        )


def _swap_viatt_link(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + escape(viatt_variant(unescape(match.group(2)))) + match.group(3)
    return match.group(4) + escape(viatt_variant(unescape(match.group(5)))) + match.group(6)


@dataclass
class VariantScenario:
    db: Path
    first: list[CrawlResult]
    second: list[CrawlResult]
    before: list[tuple[Any, ...]]
    after: list[tuple[Any, ...]]
    first_requests: list[tuple[str, str]]
    second_requests: list[tuple[str, str]]


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VariantScenario]:
    db = tmp_path_factory.mktemp("variants") / "archive.db"
    wrapped: dict[str, VariantLinks] = {}

    def wrapping(module: Any) -> Any:
        original = module.make_room

        def make_room(*, size: int | None = None) -> VariantLinks:
            room = VariantLinks(original(size=size), module.PLATFORM)
            wrapped[module.PLATFORM] = room
            return room

        return make_room

    rows_sql = "SELECT id, platform, platform_id, canonical_url, title FROM releases ORDER BY id"
    with pytest.MonkeyPatch.context() as patch:
        for module in (viatt_room, mynewsdesk_room):
            patch.setattr(module, "make_room", wrapping(module))
        with DemoPressRooms(["viatt", "mynewsdesk"]) as rooms:
            sources = parse_sources(rooms.sources_toml(), origin="demo rooms")
            first_results = crawl(db, sources, full=True)
            before = [tuple(r) for r in query(db, rows_sql)]
            first_requests = list(rooms.requests)
            rooms.clear_requests()
            for room in wrapped.values():
                room.on = True
            second_results = crawl(db, sources, full=True)
            yield VariantScenario(
                db=db,
                first=first_results,
                second=second_results,
                before=before,
                after=[tuple(r) for r in query(db, rows_sql)],
                first_requests=first_requests,
                second_requests=list(rooms.requests),
            )


def test_url_variants_reach_the_same_rows(variants: VariantScenario) -> None:
    assert all(r.status == "finished" for r in [*variants.first, *variants.second])
    # the second crawl really went through the variants ...
    viatt_paths = [p for room, p in variants.second_requests if room == "viatt"]
    assert any(
        "utm_source=nyhetsbrev" in p for p in viatt_paths if p.startswith("/pressmeddelande/")
    )
    first_mnd = {p for room, p in variants.first_requests if room == "mynewsdesk"}
    second_mnd = {p for room, p in variants.second_requests if room == "mynewsdesk"}
    switched = {p for p in second_mnd if mynewsdesk_variant(p) in first_mnd and p not in first_mnd}
    assert len(switched) >= 10, "the second crawl fetched the other URL generation"
    # ... and stored nothing new: the same rows, ids and keys
    assert sum(r.stored for r in variants.second) == 0
    assert variants.after == variants.before
    expected = len(expected_keys("viatt")) + len(expected_keys("mynewsdesk"))
    assert len(variants.after) == expected


# ------------------------------------------------------ an edit, a revision


def _edited_row(db: Path) -> sqlite3.Row:
    (row,) = query(
        db,
        "SELECT id, title, body_text FROM releases WHERE platform = 'viatt' AND platform_id = ?",
        str(viatt_room.release_number(EDITED_KEY)),
    )
    return row


def _the_edit() -> tuple[DemoRelease, DemoRelease, str]:
    """The edited release before and after, and the sentence the edit added."""
    original = next(r for r in releases_for("viatt") if r.key == EDITED_KEY)
    edited = next(r for r in releases_for("viatt", edition=2) if r.key == EDITED_KEY)
    added = edited.paragraphs[0].removeprefix(original.paragraphs[0]).strip()
    assert added and added not in " ".join(original.paragraphs)
    return original, edited, added


def test_an_edit_becomes_one_revision_of_the_same_row(second: Scenario) -> None:
    assert second.second_db is not None
    original, edited, added = _the_edit()
    before = _edited_row(second.first_db)
    after = _edited_row(second.second_db)
    assert after["id"] == before["id"]
    assert before["title"] == original.title and after["title"] == edited.title
    assert added in after["body_text"] and added not in before["body_text"]
    revisions = query(second.second_db, "SELECT release_id, title, body_text FROM revisions")
    assert [(r["release_id"], r["title"]) for r in revisions] == [(after["id"], original.title)]
    assert revisions[0]["body_text"] == before["body_text"]


def test_the_incremental_crawl_adds_each_rooms_new_release_once(second: Scenario) -> None:
    assert second.second_db is not None
    rows = keyed_rows(second.second_db)
    for platform in PLATFORMS:
        keys = Counter(r.key for r in rows if r.platform == platform)
        assert max(keys.values()) == 1, platform
        assert set(keys) == expected_keys(platform, edition=2), platform
    new_rows = len(rows) - len(keyed_rows(second.first_db))
    assert new_rows == len(PLATFORMS)
    assert sum(r.stored for r in second.second) == len(PLATFORMS)
    # incremental: the known releases were not all fetched again
    second_requests = second.second_requests - second.first_requests
    assert second_requests < second.first_requests / 2, (second_requests, second.first_requests)


def test_history_shows_the_edit_as_a_diff(second: Scenario) -> None:
    assert second.second_db is not None
    original, edited, added = _the_edit()
    release_id = _edited_row(second.second_db)["id"]
    result = CliRunner().invoke(main, ["history", str(release_id), "--db", str(second.second_db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2 version(s)" in lines
    assert f"-Title: {original.title}" in lines
    assert f"+Title: {edited.title}" in lines
    assert any(line.startswith("+") and added in line for line in lines)
    assert not any(line.startswith("-") and added in line for line in lines)


# ------------------------------------------------------------------- WARC


def test_warc_files_pass_warcio_check_and_index(second: Scenario) -> None:
    files = sorted((second.db.parent / "warc").rglob("*.warc*"))
    assert files
    checked = warcio("check", "-v", *map(str, files))
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    indexed: set[tuple[str, int]] = set()
    for path in files:
        listing = warcio("index", "-f", "warc-type,offset", str(path))
        assert listing.returncode == 0, listing.stderr[-2000:]
        for line in listing.stdout.splitlines():
            entry = json.loads(line)
            if entry["warc-type"] in ("response", "revisit"):
                indexed.add((path.name, int(entry["offset"])))
    rows = query(second.db, "SELECT warc_file, offset FROM warc_records")
    assert {(Path(r["warc_file"]).name, r["offset"]) for r in rows} == indexed


def _served(scenario: Scenario) -> Counter[tuple[str, str]]:
    return Counter(scenario.rooms.requests)


def _archived(scenario: Scenario) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for row in query(scenario.db, "SELECT url FROM warc_records"):
        parts = urlsplit(row["url"])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        counts[(scenario.port_platform[int(parts.port or 0)], path)] += 1
    return counts


def test_warc_index_has_one_row_per_response(second: Scenario) -> None:
    # The rooms log every request they answered: each must be archived once,
    # errors included, and nothing else.
    assert _archived(second) == _served(second)
    statuses = Counter(row["status"] for row in query(second.db, "SELECT status FROM warc_records"))
    responses = sum(
        int(json.loads(row["stats"]).get("downloader/response_count", 0))
        for row in query(second.db, "SELECT stats FROM crawls")
    )
    assert sum(statuses.values()) == responses
    missing = viatt_room.release_number(MISSING_KEY)
    not_found = query(
        second.db,
        "SELECT url FROM warc_records WHERE status = 404 AND url LIKE ?",
        f"%/pressmeddelande/{missing}/%",
    )
    assert not_found, "the always-404 Via TT release is archived"
    flaky_slug = f"-{mynewsdesk_room.release_number(FLAKY_KEY)}"
    flaky = [
        row["status"]
        for row in query(
            second.db,
            "SELECT status FROM warc_records WHERE url LIKE ? ORDER BY id",
            f"%{flaky_slug}",
        )
    ]
    assert flaky[:3] == [500, 500, 200], flaky


# ---------------------------------------------------------------- reextract


def test_reextract_equals_the_crawl(online_replay: Replay) -> None:
    assert online_replay.exit_code == 0, online_replay.output
    assert online_replay.crawl_rows and all(
        row["status"] == "finished" for row in online_replay.crawl_rows
    )
    assert snapshot_differences(online_replay.before, online_replay.after) == []


def test_reextract_fetches_nothing(online_replay: Replay) -> None:
    assert online_replay.requests_after == online_replay.requests_before
    for row in online_replay.crawl_rows:
        stats = json.loads(row["stats"])
        assert not stats.get("downloader/exception_count"), stats
        assert stats.get("httpcache/hit", 0) > 0, stats


def test_reextract_works_with_the_network_blocked(offline_replay: Replay) -> None:
    assert offline_replay.exit_code == 0, offline_replay.output
    assert offline_replay.crawl_rows and all(
        row["status"] == "finished" for row in offline_replay.crawl_rows
    )
    for row in offline_replay.crawl_rows:
        stats = json.loads(row["stats"])
        assert not stats.get("downloader/exception_count"), stats
    assert snapshot_differences(offline_replay.before, offline_replay.after) == []
