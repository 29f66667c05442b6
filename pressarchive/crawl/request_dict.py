"""A request as a dict for a queue (`Request.to_dict`), made without Scrapy's
search for the callback's name.

`Request.to_dict` finds the name of a callback by listing every method of the
spider (`inspect.getmembers`) for each request: 34 µs a request on the
Mynewsdesk spider against 1.8 µs here (one-off), paid by every request a
local crawl queues on disk (JOBDIR) and every one a Redis crawl queues on the
frontier. A bound method of the spider names itself; the name is checked
against the spider, so the dict is the one `to_dict` makes. Anything else (a
callback of another object, a lambda) goes through `to_dict` and its error.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request


class _NotAMethod(Exception):
    pass


def _name(spider: Any, func: Any) -> Any:
    if func is None or not callable(func):
        return func  # no callback, or already a name
    name = getattr(func, "__name__", None)
    if getattr(func, "__self__", None) is spider and name and getattr(spider, name, None) == func:
        return name
    raise _NotAMethod


def request_dict(request: Request, spider: Any) -> dict[str, Any]:
    """`request.to_dict(spider=spider)`, without its search when it can."""
    try:
        d: dict[str, Any] = {
            "url": request.url,
            "callback": _name(spider, request.callback),
            "errback": _name(spider, request.errback),
            "headers": dict(request.headers),
        }
    except _NotAMethod:
        return request.to_dict(spider=spider)
    for attr in request.attributes:
        d.setdefault(attr, getattr(request, attr))
    if type(request) is not Request:
        d["_class"] = f"{type(request).__module__}.{type(request).__name__}"
    return d
