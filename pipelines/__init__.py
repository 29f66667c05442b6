"""Thin Scrapy stages, in order: read pages in workers (when there are any) ->
refine (pressarchive.refine.process.STAGES: dates, cleaning, keys) -> store."""
