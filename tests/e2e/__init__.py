"""End-to-end crawls of the fixture press rooms into a real archive."""
