"""Administration and oversight of accounts and records: accounts, role grants, roll import, retention."""
