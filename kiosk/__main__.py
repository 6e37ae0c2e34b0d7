"""`python -m kiosk` runs the same entry point as the `kiosk` console script."""

from kiosk.cli import main

raise SystemExit(main())
