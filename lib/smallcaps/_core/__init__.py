"""Internal building blocks shared by the whole kit (not public API; no imports from the
rest of it)."""
