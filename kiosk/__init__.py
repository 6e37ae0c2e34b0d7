"""The DSL console: a self-hosted safeguarding console for schools in England."""

__version__ = "0.1.0"
