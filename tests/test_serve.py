"""`pressarchive serve`: Datasette over the archive, read-only, documented, searchable."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from archive_factory import ABOUT, build_archive, served_archive
from click.testing import CliRunner

from pressarchive.cli.serve import build_datasette, is_being_written, load_metadata, serve_command
from pressarchive.datasette import METADATA_PATH
from pressarchive.datasette.plugin import MATCH_NOTHING, paragraphs_html, sv_fts, sv_snippet
from pressarchive.storage.search import HIGHLIGHT_END, HIGHLIGHT_START
from pressarchive.storage.search_query import fts_query

# Tables Datasette hides or that hold internal state only.
INTERNAL = {
    "extractions",
    "release_signatures",
    "release_bands",
    "about_models",
    "learner_documents",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("serve") / "archive.db")


class Client:
    """Datasette's in-process client: no sockets needed for the page checks."""

    def __init__(self, db: Path) -> None:
        self.datasette = build_datasette(db)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.datasette.invoke_startup())

    def get(self, path: str) -> Any:
        return self.loop.run_until_complete(self.datasette.client.get(path))

    def json(self, path: str) -> Any:
        response = self.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.loop.close()


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[Client]:
    c = Client(db)
    yield c
    c.close()


def test_every_table_and_column_is_described(db: Path) -> None:
    metadata = load_metadata("archive")
    assert metadata["title"] and metadata["source"] and metadata["description_html"]
    tables = metadata["databases"]["archive"]["tables"]
    conn = sqlite3.connect(db)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'releases_fts%' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for name in names:
        if name in INTERNAL:
            assert tables[name].get("hidden"), name
            continue
        assert tables[name]["description"], name
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        described = tables[name].get("columns", {})
        assert [c for c in columns if not described.get(c)] == [], name
    for name in INTERNAL:  # hidden, but still explained to whoever opens them
        assert tables[name]["description"], name


def test_metadata_is_renamed_to_the_served_database(client: Client) -> None:
    data = client.json("/archive.json")
    assert {q["name"] for q in data["queries"]} >= {
        "search",
        "releases_per_month",
        "latest_releases",
        "contacts_directory",
        "upcoming_press_conferences",
        "cross_platform_releases",
    }


def test_swedish_search_query_finds_word_forms(client: Client) -> None:
    rows = client.json("/archive/search.json?_shape=array&q=bro")
    assert [r["title"] for r in rows] == ["Det blir en ny bro över Motala ström"] * 2
    assert all(HIGHLIGHT_START + "bro" + HIGHLIGHT_END in r["snippet"] for r in rows)
    bron = client.json("/archive/search.json?_shape=array&q=bron")
    assert len(bron) == 2  # another form of the same word finds the same releases
    assert client.json("/archive/search.json?_shape=array&q=tryggheten")[0]["title"].startswith(
        "Gemensam kraftsamling"
    )
    # An empty form and a stray quote do not break the page.
    assert client.json("/archive/search.json?_shape=array&q=") == []
    assert len(client.json("/archive/search.json?_shape=array&q=%22bro")) == 2


def test_search_page_links_results_and_highlights(client: Client) -> None:
    html = client.get("/archive/search?q=spårvagnen").text
    assert '<a href="/archive/releases/4">4</a>' in html
    assert "<mark>spårvagnarna</mark>" in html


def test_sql_functions_match_the_cli_search() -> None:
    assert sv_fts("bro") == fts_query("bro")
    assert sv_fts("") == MATCH_NOTHING
    assert sv_fts('"bro') == fts_query("bro")
    assert HIGHLIGHT_START in sv_snippet("Den nya bron öppnar.", "bro")


def test_facets_on_source_kind_language_and_year(client: Client) -> None:
    data = client.json("/archive/releases.json?_size=0&_extra=facet_results")
    facets = data["facet_results"]
    if "results" in facets:  # Datasette 1.0 nests them
        facets = facets["results"]
    counts = {
        name: {str(v["value"]): v["count"] for v in facet["results"]}
        for name, facet in facets.items()
    }
    assert counts["source_id"] == {
        "norrkoping-mynewsdesk": 3,
        "norrkoping-viatt": 2,
        "norrkoping-sitevision": 2,
    }
    assert counts["kind"]["pressinbjudan"] == 1
    assert counts["language"] == {"sv": 7}
    assert counts["published_local (year)"] == {"2018": 5, "2019": 2}
    year_2019 = client.json("/archive/releases.json?_shape=array&published_local__startswith=2019")
    assert len(year_2019) == 2


def test_canned_queries(client: Client, db: Path) -> None:
    months = client.json("/archive/releases_per_month.json?_shape=array")
    assert {"source_id": "norrkoping-mynewsdesk", "month": "2018-01", "releases": 3} in months
    # Deduplicated: the bridge on Via TT is not counted again; the sums agree
    # with unique_releases, and say so.
    conn = sqlite3.connect(db)
    unique = conn.execute("SELECT COUNT(*) FROM unique_releases").fetchone()[0]
    assert sum(m["releases"] for m in months) == unique == 6
    assert {"source_id": "norrkoping-viatt", "month": "2018-01", "releases": 1} in months
    queries = {q["name"]: q for q in client.json("/archive.json")["queries"]}
    assert "unique_releases" in queries["releases_per_month"]["description"]
    kinds = client.json("/archive/releases_per_month_per_kind.json?_shape=array")
    assert sum(k["releases"] for k in kinds) == unique
    contacts = client.json("/archive/contacts_directory.json?_shape=array")
    asa = next(c for c in contacts if c["name"] == "Åsa Öberg")
    # The bridge on Mynewsdesk and Via TT is one release: two, not three.
    assert asa["releases"] == 2 and asa["organisation"] == "Norrköpings kommun"
    upcoming = client.json("/archive/upcoming_press_conferences.json?_shape=array")
    assert [u["place"] for u in upcoming] == ["Louis De Geer konsert & kongress"]
    clusters = client.json("/archive/cross_platform_releases.json?_shape=array")
    assert {c["platform"] for c in clusters} == {"mynewsdesk", "viatt"}
    assert len({c["cluster_id"] for c in clusters}) == 1
    latest = client.json("/archive/latest_releases.json?_shape=array")
    assert len(latest) == 6  # seven releases, one cluster of two


def test_undated_releases_are_labelled_not_a_blank_month(tmp_path: Path) -> None:
    db = build_archive(tmp_path / "undated.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE releases SET published_at = NULL, published_local = NULL WHERE id = 7")
    c = Client(db)
    try:
        months = c.json("/undated/releases_per_month.json?_shape=array")
    finally:
        c.close()
    assert {m["month"] for m in months} >= {"undated"}
    assert all(m["month"] for m in months)
    assert months[-1]["month"] == "undated"


def test_saved_search_is_an_atom_feed(client: Client) -> None:
    response = client.get("/archive/search_feed.atom?q=bron")
    assert response.status_code == 200
    assert "xml" in response.headers["content-type"]
    feed = response.text
    assert '<feed xmlns="http://www.w3.org/2005/Atom">' in feed
    # Each release once, though the bridge is on two platforms.
    assert feed.count("<entry>") == 1
    assert "Det blir en ny bro över Motala ström" in feed
    assert "https://www.mynewsdesk.com/se/norrkopings_kommun/pressreleases/1001" in feed
    assert client.get("/archive/latest_feed.atom").text.count("<entry>") == 6


def test_dashboard_search_all_and_robots(client: Client) -> None:
    page = client.get("/-/dashboards/releases")
    assert page.status_code == 200
    assert "Releases per month per press room" in page.text
    dashboard = load_metadata("archive")["plugins"]["datasette-dashboards"]["releases"]
    chart = dashboard["charts"]["per-source"]
    assert chart["db"] == "archive"  # renamed with the database
    sql = urllib.parse.quote(_without_optional_filters(chart["query"]))
    rows = client.json(f"/archive.json?_shape=array&sql={sql}")
    assert sum(r["releases"] for r in rows) == 6
    assert client.get("/-/search?q=bro").status_code == 200
    assert "Disallow: /" in client.get("/robots.txt").text


def _without_optional_filters(sql: str) -> str:
    """A dashboard query with its [[ ... :filter ... ]] parts left out, as
    datasette-dashboards runs it when no filter is set."""
    return re.sub(r"\[\[.*?\]\]", "", sql)


def test_auth_closes_everything_but_the_login_page(db: Path) -> None:
    from pressarchive.cli.serve import password_hash_for

    guarded = build_datasette(db, password_hash=password_hash_for("s3cret"))
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(guarded.invoke_startup())

        def status(path: str, **kwargs: Any) -> int:
            response = loop.run_until_complete(guarded.client.get(path, **kwargs))
            return int(response.status_code)

        assert status("/archive/releases.json") == 403
        assert status("/-/login") == 200
        signed_in = {"ds_actor": guarded.sign({"a": {"id": "pressarchive"}}, "actor")}
        assert status("/archive/releases.json", cookies=signed_in) == 200
    finally:
        loop.close()


def test_serve_refuses_the_network_without_auth_and_a_busy_port(db: Path) -> None:
    import socket

    result = CliRunner().invoke(serve_command, ["--db", str(db), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--auth" in result.output and result.output.count("\n") == 1
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        port = str(busy.getsockname()[1])
        result = CliRunner().invoke(serve_command, ["--db", str(db), "--port", port])
    finally:
        busy.close()
    assert result.exit_code == 1
    assert "in use" in result.output and "Serving" not in result.output
    assert result.output.count("\n") == 1


def test_release_page_shows_the_body_as_paragraphs(client: Client) -> None:
    html = client.get("/archive/releases/1").text
    assert "<p>Under tekniska nämndens sammanträde" in html
    cells = [c.split("</div>")[0] for c in html.split('class="release-body"')[1:]]
    body_cell = next(c for c in cells if "Under tekniska" in c)
    assert "Femöresbrons utseende" in body_cell
    assert ABOUT[:30] not in body_cell
    assert str(paragraphs_html("a\n\nb<")).count("<p>") == 2
    assert "b&lt;" in str(paragraphs_html("a\n\nb<"))


def test_archive_cannot_be_changed_through_datasette(client: Client, db: Path) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    sql = urllib.parse.quote("DELETE FROM releases")
    response = client.get(f"/archive.json?sql={sql}")
    assert response.status_code >= 400
    response = client.get("/archive.json?sql=" + urllib.parse.quote("PRAGMA query_only=0"))
    assert response.status_code >= 400
    assert len(client.json("/archive/releases.json?_shape=array")) == 7
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not client.datasette.databases["archive"].is_mutable


def test_a_database_being_written_is_opened_read_only_not_immutable(tmp_path: Path) -> None:
    db = build_archive(tmp_path / "live.db")
    assert not is_being_written(db)
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("UPDATE releases SET title = title || '!' WHERE id = 1")
    writer.commit()
    try:
        assert is_being_written(db)
        live = build_datasette(db)
        database = live.databases["live"]
        assert database.is_mutable  # mode=ro: reads the WAL, never writes
    finally:
        writer.close()


def test_serve_command_binds_loopback_and_serves(db: Path) -> None:
    with served_archive(db) as base:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base + "/archive/search.json?_shape=array&q=bro") as r:
            rows = json.loads(r.read())
        assert len(rows) == 2
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + "/archive/releases/9999")


def test_serve_on_a_missing_archive_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve_command, ["--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no archive here" in result.output
    assert METADATA_PATH.exists()


# What the canned searches answered when they collected every match before
# sorting: the reference the bounded ones (sv_newest) must agree with.
ALL_MATCHES = {
    "search": """
select r.id as release_id, r.published_local as published, r.source_id, r.kind, r.title,
  sv_snippet(r.lead || char(10) || r.body_text, :q) as snippet
from releases r
where r.id in (select rowid from releases_fts where releases_fts match sv_fts(:q))
order by r.published_at desc
limit 200
""",
    "search_feed": """
select 'tag:pressarchive,release:' || r.id as atom_id,
  r.title as atom_title,
  coalesce(r.updated_at, r.published_at, r.first_seen_at) as atom_updated,
  r.canonical_url as atom_link,
  r.source_id || ', ' || coalesce(substr(r.published_local, 1, 16), 'undated') || ': '
    || coalesce(nullif(r.lead, ''), substr(r.body_text, 1, 400)) as atom_content,
  r.organisation as atom_author_name
from unique_releases r
where r.id in (select rowid from releases_fts where releases_fts match sv_fts(:q))
order by r.published_at desc
limit 50
""",
}


@pytest.mark.parametrize("name", sorted(ALL_MATCHES))
@pytest.mark.parametrize("words", ["bro", "Norrköping", '"i Norrköping"', "och", "zzz", ""])
def test_the_canned_searches_answer_as_collecting_every_match_did(
    client: Client, db: Path, name: str, words: str
) -> None:
    from pressarchive.datasette.plugin import prepare_connection

    conn = sqlite3.connect(db)
    prepare_connection(conn)
    conn.row_factory = sqlite3.Row
    expected = [dict(row) for row in conn.execute(ALL_MATCHES[name], {"q": words})]
    query = urllib.parse.urlencode({"q": words, "_shape": "array"})
    answered = client.json(f"/archive/{name}.json?{query}")
    assert answered == expected
    if words == "bro":
        assert answered  # the comparison is not between two empty lists
