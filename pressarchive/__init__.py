"""pressarchive: crawl press rooms into a clean, searchable SQLite archive."""

__version__ = "0.1.0"
