"""A refused redirect is known by its type (RedirectRefused), not its wording."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pressarchive.spiders.base import failure_reason
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from twisted.python.failure import Failure

from pressarchive.crawl.middlewares import RedirectGuardMiddleware, RedirectRefused

SPIDER = SimpleNamespace(source=None, allowed_domains=["127.0.0.1"])


def redirect(url: str, location: str) -> tuple[Request, HtmlResponse]:
    request = Request(url)
    response = HtmlResponse(url, status=302, headers={"Location": location}, request=request)
    return request, response


@pytest.mark.parametrize(
    ("url", "location", "reason"),
    [
        ("http://127.0.0.1/a", "/a", "redirect loop: http://127.0.0.1/a -> http://127.0.0.1/a"),
        ("http://127.0.0.1/a", "http://example.org/b", "off-site redirect"),
    ],
)
def test_a_refused_redirect_is_its_reason_in_the_run(url: str, location: str, reason: str) -> None:
    request, response = redirect(url, location)
    with pytest.raises(RedirectRefused) as refused:
        RedirectGuardMiddleware().process_response(request, response, SPIDER)
    assert failure_reason(Failure(refused.value)).startswith(reason)


def test_a_followed_redirect_passes() -> None:
    request, response = redirect("http://127.0.0.1/a", "/b")
    assert RedirectGuardMiddleware().process_response(request, response, SPIDER) is response


def test_only_the_type_makes_a_redirect_reason() -> None:
    # another IgnoreRequest that happens to say the words is not a refused redirect
    assert failure_reason(Failure(IgnoreRequest("redirect loop of a kind"))) == (
        "IgnoreRequest: redirect loop of a kind"
    )
    assert failure_reason(Failure(RedirectRefused("anything at all"))) == "anything at all"
