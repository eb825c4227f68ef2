"""One-click curation: plans, journaled transactions to the trash, undo."""
