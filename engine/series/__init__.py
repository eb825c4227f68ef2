"""Near-duplicate series and exact duplicates, and best-shot ranking (PAU)."""
