"""Running Scrapy: the crawl process and its lock, downloader middlewares,
extensions, WARC recording, and the pool that reads pages off the reactor."""
