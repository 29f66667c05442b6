"""Thin Scrapy stages that call pressarchive's pure functions, in order:
normalise dates -> refine (clean & structure) -> dedupe keys -> store."""
