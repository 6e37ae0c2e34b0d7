"""Concerns about a child: the form, the record, the DSL team's inbox and work."""
