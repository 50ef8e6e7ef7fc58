"""Internal building blocks shared by the analysis modules (not public API)."""
