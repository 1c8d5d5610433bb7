"""The resource databank: search, favourites, lists, proposals (docs/architecture.md)."""
