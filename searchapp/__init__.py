"""searchapp: full-text search with faceted browsing for a news archive."""

__version__ = "0.1.0"
