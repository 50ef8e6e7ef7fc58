"""``python -m smallcaps`` runs the command-line interface."""

from smallcaps.cli import main

raise SystemExit(main())
