"""Instrument files: model, loader and validator (pure: no web, database or PDF imports)."""
