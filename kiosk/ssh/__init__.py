"""`kiosk serve-ssh`: the console for remote deputy DSLs over SSH.

- `server`: the asyncssh server (authentication by registered public key, limits,
  refusals, audit of every refused connection).
- `session`: one console process per connection, in its own pseudo-terminal.
- `hostkey`: the server's host key, created owner-only in the data dir.
- `ratelimit`: connection attempts per address.
"""
