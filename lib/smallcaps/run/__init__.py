"""Running notebooks and exporting them (``export``: self-contained HTML reports and decks)."""
