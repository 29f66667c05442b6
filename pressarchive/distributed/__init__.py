"""Crawling on many machines: one Redis frontier (scrapy-redis), one archive writer.

Nothing here is imported by a local crawl: the add-on (`addon.py`) switches a
crawl to these parts only when a Redis URL is given (`pressarchive crawl
--redis URL`, the PRESSARCHIVE_REDIS_URL setting or environment variable).

    keys.py        the names of every Redis key, in one place
    connection.py  the Redis URL from settings or the environment
    frontier.py    the shared frontier: runs, members, reliable pop, the scheduler
    acks.py        when a popped request is done (its items handed to the writer)
    messages.py    what crawlers send the writer, as JSON
    push.py        the item pipeline that sends releases to the writer
    queue.py       the writer's reliable queue (LMOVE to a processing list, ack)
    ingest.py      the one process that writes the SQLite archive
    seen_redis.py  "already archived?" answered from Redis
    politeness.py  per-site concurrency and delay shared by all crawl processes
    warc.py        WARC files per crawler, index rows through the writer
    addon.py       the settings a Redis crawl needs
"""
