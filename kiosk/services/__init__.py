"""Services: one function per thing a person does.

Each takes the acting `Actor`, checks a capability from kiosk.capabilities, writes in
one transaction (kiosk.db.write), appends its audit event, and returns plain data.
Screens call these and nothing below them. No Textual import here (tested).
"""
