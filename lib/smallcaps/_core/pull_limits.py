"""The data pull's default limits, in a module of their own: the command line shows them
in its help without importing the data layer (pandas and the sources)."""

DEFAULT_MAX_AGE_HOURS = 12.0
# seconds for the whole pull, and for one request (retries and waits included)
DEFAULT_DEADLINE = 600.0
DEFAULT_REQUEST_DEADLINE = 120.0
# seconds one HTTP attempt may take end to end
DEFAULT_TIMEOUT = 30.0
