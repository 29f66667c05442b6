"""Scrapy settings: politeness, retries, cache, pipelines in order.

`pressarchive crawl` overrides a few of these per run (the archive path, the
HTTP cache, the job directory); `scrapy crawl` from the checkout uses them as
they are.
"""

from scrapy.settings import default_settings as _scrapy_defaults

BOT_NAME = "pressarchive"
SPIDER_MODULES = ["pressarchive.spiders"]
NEWSPIDER_MODULE = "pressarchive.spiders"

# Who we are: press rooms may want to reach the operator. Override the contact
# URL in a deployment (settings or PRESSARCHIVE_CONTACT_URL in the environment).
PRESSARCHIVE_CONTACT_URL = "https://github.com/pressarchive/pressarchive"
USER_AGENT = f"pressarchive/0.1 (+{PRESSARCHIVE_CONTACT_URL})"

# Politeness by default.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30

# Bounds a cron user can rely on. A release page is well under a megabyte and a
# sitemap at most 50 MB by its protocol; a response above DOWNLOAD_MAXSIZE is
# dropped (and recorded as an error) whether it arrives that large or unpacks to
# it (Scrapy's HttpCompressionMiddleware checks while decompressing; the
# generic spider's own gunzip of sitemap.xml.gz passes the same cap).
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# A release page is read by lxml and trafilatura, which take many times its
# size in memory (a 50 MB page: +250 MB, bench/bench_hostile.py); release pages
# get a cap of their own.
PRESSARCHIVE_RELEASE_MAXSIZE = 8 * 1024 * 1024
# The wall-clock cap of one source's crawl (seconds); the crawl stops, is
# recorded as interrupted and the next run goes on from the gap it left.
CLOSESPIDER_TIMEOUT = 4 * 3600
# Listing pages one walk may read (pressarchive.spiders.base): a listing that
# never ends is cut here and recorded.
PRESSARCHIVE_MAX_LISTING_PAGES = 2000

# Retries with backoff on 429/5xx; Retry-After honoured (pressarchive middleware).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
PRESSARCHIVE_RETRY_BACKOFF_BASE = 1.0
PRESSARCHIVE_RETRY_BACKOFF_CAP = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "pressarchive.crawl.middlewares.BackoffRetryMiddleware": 550,
    # Before RedirectMiddleware (600) sees a 3xx: loops and off-site redirects are errors.
    "pressarchive.crawl.middlewares.RedirectGuardMiddleware": 650,
    # Above the cache, retry, redirect and decompression middlewares, so it
    # sees every response as the server sent it (404s and 500s included).
    "pressarchive.crawl.warc.WarcRecorderMiddleware": 950,
}

# Development cache (`pressarchive crawl --cache`): off by default.
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"

# Where the archive lives (the CLI's --db sets it).
PRESSARCHIVE_DB = "data/pressarchive.db"
PRESSARCHIVE_WARC_DIR = "data/warc"
PRESSARCHIVE_WARC_MAX_BYTES = 100_000_000  # rotate WARC files at this size
# gzip level of the WARC files (1-9; 1-3 compressed by ISA-L, 4-9 by zlib): 2
# compresses a real page in a ninth of the CPU of zlib's default 6, into files
# ~14% larger (storage/warc.py).
PRESSARCHIVE_WARC_GZIP_LEVEL = 2

# A local crawl's queue on disk (each source's JOBDIR): Scrapy's default LIFO
# pickle queue, with a request's dict made without Scrapy's search of the
# spider's methods for its callback's name (34 -> 1.8 us a request).
SCHEDULER_DISK_QUEUE = "pressarchive.crawl.disk_queue.RequestDictLifoDiskQueue"

# `@room <platform>` in a spider contract points it at a bundled demo press room.
SPIDER_CONTRACTS = {"pressarchive.spiders.contracts.RoomContract": 10}

EXTENSIONS = {
    # A live line of pages, items and errors when run on a terminal (not under cron).
    "pressarchive.crawl.progress.CrawlProgress": 500,
}
# Scrapy (2.14+) starts, in every crawl, an HTTP server on localhost that runs
# the Python code posted to it (for its MCP server), and writes its port and
# token to a file under the user's home (~/.local/state/scrapy/job_files):
# outside the archive's folders, and a door into a scheduled crawl that nobody
# asked for. It is left out of Scrapy's base extensions rather than set to None
# in EXTENSIONS: Scrapy imports every key of EXTENSIONS to normalise it, and
# this one imports aiohttp, ~0.2 s of CPU at every crawl's start.
EXTENSIONS_BASE = {
    path: order
    for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
REMOTE_CONTROL_ENABLED = False  # still off if `--set EXTENSIONS_BASE=...` brings it back
# The telnet console (a port with a password, for debugging a live crawl): off;
# `--set TELNETCONSOLE_ENABLED=1` turns it on for one crawl.
TELNETCONSOLE_ENABLED = False

# Worker processes that read and clean release pages off the reactor thread
# (pressarchive.crawl.pool); 0 reads them in the crawl process. A worker shortens
# a crawl only while a second core is idle, and costs CPU (pickling pages and
# releases, a second interpreter) and memory (a second process) on every page:
# in process by default (bench/bench_crawl.py).
PRESSARCHIVE_WORKERS = 0
# Scrapy starts this many asyncio tasks for *every* response's output; a release
# page yields one item and a listing page a dozen requests, so the default 100
# spends a fifth of the reactor thread starting tasks that have nothing to do.
CONCURRENT_ITEMS = 16

# The refine stage runs pressarchive.refine.process.STAGES (dates, cleaning,
# keys) on what was not refined in a worker; their order is written there, once.
ITEM_PIPELINES = {
    "pressarchive.pipelines.read_pages.ReadPagesPipeline": 50,
    "pressarchive.pipelines.refine.RefinePipeline": 200,
    "pressarchive.pipelines.store.StorePipeline": 400,
}

# Crawling on many machines: inert unless a Redis URL is configured
# (PRESSARCHIVE_REDIS_URL, or `pressarchive crawl --redis URL`); see pressarchive.distributed.
ADDONS = {"pressarchive.distributed.addon.DistributedAddon": 0}
PRESSARCHIVE_REDIS_URL = ""

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
