"""`pressarchive extract`: extraction and cleaning of saved pages, no archive."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pressarchive.cli.main import main
from pressarchive.cli.replay import guess_platform

GOLDEN = Path(__file__).parent / "golden"


def expected(name: str) -> dict[str, object]:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def test_extract_prints_every_field_of_a_saved_page(tmp_path: Path) -> None:
    page = expected("real_viatt_seed003_klockaretorpet")
    result = CliRunner().invoke(
        main,
        [
            "extract",
            str(GOLDEN / "real_viatt_seed003_klockaretorpet.html"),
            "--url",
            str(page["url"]),
        ],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["platform"] == "viatt"  # guessed from the URL
    assert record["title"] == page["title"]
    # "5.12.2022 10:31:12 CET" on the page
    assert record["published_at"] == "2022-12-05T09:31:12+00:00"
    assert record["language"] == "sv"
    assert (
        "145 000 invånare" not in record["body_text"] and "143 500 invånare" in record["about_text"]
    )
    assert "Följ Norrköpings kommun" not in record["body_text"]
    phones = {c["name"]: c["phone"] for c in record["contacts"]}
    assert phones["Olle Vikmång"] == "+46706871538"
    assert {c["role"] for c in record["contacts"]} == {"contact", "sender"}
    # nothing was written anywhere
    assert list(tmp_path.iterdir()) == []


def test_extract_jsonl_gives_one_object_per_page() -> None:
    names = ["real_viatt_seed004_samverkan", "real_viatt_seed003_klockaretorpet"]
    files = [str(GOLDEN / f"{name}.html") for name in names]
    result = CliRunner().invoke(
        main, ["extract", *files, "--platform", "viatt", "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"] for r in records] == [expected(name)["title"] for name in names]


def test_extract_of_a_missing_file_is_one_line() -> None:
    result = CliRunner().invoke(main, ["extract", "/nonexistent/page.html"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "cannot read" in result.stderr


def test_platform_is_guessed_from_url_shapes() -> None:
    assert guess_platform("https://via.tt.se/pressmeddelande/1/x") == "viatt"
    assert guess_platform("https://www.mynewsdesk.com/se/x/pressreleases/y-1") == "mynewsdesk"
    assert guess_platform("https://norrkoping.se/nyhetsarkiv/2024/2024-01-01-x") == "sitevision"
    assert guess_platform("https://news.cision.com/se/x/r/y,c1") == "cision"
    assert guess_platform("https://example.org/blog/post") == "generic"


REAL = Path(__file__).parent / "real"


def test_the_page_itself_beats_a_missing_or_wrong_url() -> None:
    sitevision = (REAL / "sitevision" / "centerpartiet_20260811_akesson.html").read_bytes()
    wordpress = (
        REAL / "generic" / "liberalerna_20260602_valmanifest_pressmeddelande.html"
    ).read_bytes()
    assert guess_platform("saved.html", sitevision) == "sitevision"
    assert guess_platform("https://via.tt.se/pressmeddelande/1/x", sitevision) == "sitevision"
    assert guess_platform("https://www.liberalerna.se/x", wordpress) == "generic"
    # A page that names no platform leaves the URL to decide.
    assert guess_platform("https://via.tt.se/pressmeddelande/1/x", b"<html></html>") == "viatt"


def test_page_markers_of_each_platform() -> None:
    from pressarchive.extract.detect import platform_of_page

    assert platform_of_page('<html class="sv-no-js sv-template-artikel-2024">') == "sitevision"
    assert platform_of_page('<link href="/sitevision/system-resource/ab/x.css">') == "sitevision"
    state = "<script>window.__INITIAL_STATE__ = 'eyJ9'</script>"
    assert platform_of_page(state + '<div data-cypress="release-header">') == "viatt"
    assert platform_of_page(state) is None  # the idiom alone is not Via TT
    mnd = '<link rel="canonical" href="https://www.mynewsdesk.com/se/x/pressreleases/y-1">'
    assert platform_of_page(mnd) == "mynewsdesk"
    cision = '<meta content="https://news.cision.com/se/x/r/y,c1" property="og:url">'
    assert platform_of_page(cision) == "cision"
    assert platform_of_page(b"<html><body>hej</body></html>") is None


def test_extract_url_tries_again_after_a_server_error() -> None:
    """A press room that answers 503 once is read on the second try (tenacity)."""
    import http.server
    import threading

    page = (GOLDEN / "real_viatt_seed003_klockaretorpet.html").read_bytes()
    answers = [503, 200]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = answers.pop(0) if answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            if status == 200:
                self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/pressmeddelande/1/x"
        result = CliRunner().invoke(main, ["extract", url, "--platform", "viatt"])
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert answers == []  # both answers were used: the 503, then the page
    assert (
        json.loads(result.output)["title"] == expected("real_viatt_seed003_klockaretorpet")["title"]
    )
