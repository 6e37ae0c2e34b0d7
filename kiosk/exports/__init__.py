"""Records leaving the console: PDF building, the transfer bundle's cryptography, and the
owner-only export directory.

Nothing here decides what goes into a file or who may make one: the services
(`kiosk.services.transfers`, `kiosk.services.exports`) check capabilities, choose the
records and audit; these modules only lay them out, seal them and write them.
"""
