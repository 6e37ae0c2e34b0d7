"""Always there: contacts, whistleblowing and escalation, the procedures."""
