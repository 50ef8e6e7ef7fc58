"""Internal building blocks shared by the whole kit (no imports from the rest of it)."""
