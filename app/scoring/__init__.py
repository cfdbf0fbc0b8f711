"""The scoring engine (pure: no web, database or PDF imports)."""
