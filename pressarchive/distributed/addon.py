"""The Scrapy add-on that turns a crawl into one of many: enabled for every
crawl in settings.py, it does nothing unless a Redis URL is configured
(PRESSARCHIVE_REDIS_URL as a setting, `pressarchive crawl --redis URL`, or in
the environment, e.g. of a Scrapyd node).

With one, it swaps in scrapy-redis's scheduler (our `FrontierScheduler`
subclass) and dupefilter, the pipeline that sends releases to the writer
instead of the store, the WARC recorder that sends its index rows there too,
and the per-site politeness shared by all processes. The learner that cleans
releases during the crawl starts empty (the archive is the writer's); the
writer re-learns each source's about-text over the whole archive at the end.
"""

from __future__ import annotations

from typing import Any

from pressarchive.distributed.connection import REDIS_URL_SETTING, redis_url

STORE = "pressarchive.pipelines.store.StorePipeline"
PUSH = "pressarchive.distributed.push.RedisPushPipeline"
LOCAL_WARC = "pressarchive.crawl.warc.WarcRecorderMiddleware"
REDIS_WARC = "pressarchive.distributed.warc.RedisWarcRecorderMiddleware"
POLITENESS = "pressarchive.distributed.politeness.SitePolitenessMiddleware"
ACKS = "pressarchive.distributed.acks.FrontierAcks"


def _swap(components: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    order = components.pop(old, None)
    components[old] = None
    if order is not None:
        components[new] = order
    return components


class DistributedAddon:
    def update_settings(self, settings: Any) -> None:
        url = redis_url(settings)
        if not url:
            return
        # above the project's settings (which name the local store and scheduler)
        priority = "cmdline"
        settings.set(REDIS_URL_SETTING, url, priority=priority)
        settings.set("REDIS_URL", url, priority=priority)  # scrapy-redis's own setting
        settings.set(
            "SCHEDULER", "pressarchive.distributed.frontier.FrontierScheduler", priority=priority
        )
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority=priority)
        # the run's keys outlive each process; the last one out deletes them
        settings.set("SCHEDULER_PERSIST", True, priority=priority)
        # the archive is the writer's: no job directory, no learner primed from it
        settings.set("JOBDIR", None, priority="cmdline")
        settings.set("PRESSARCHIVE_DB", "", priority="cmdline")

        pipelines = dict(settings.getdict("ITEM_PIPELINES"))
        settings.set("ITEM_PIPELINES", _swap(pipelines, STORE, PUSH), priority=priority)
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares = _swap(middlewares, LOCAL_WARC, REDIS_WARC)
        middlewares[POLITENESS] = 960  # last before the download, first after it
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority=priority)
        spider_middlewares = dict(settings.getdict("SPIDER_MIDDLEWARES"))
        spider_middlewares[ACKS] = 10  # nearest the engine: sees the output as it leaves
        settings.set("SPIDER_MIDDLEWARES", spider_middlewares, priority=priority)
