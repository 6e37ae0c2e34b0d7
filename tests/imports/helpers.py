"""Helpers shared by the import tests."""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData><Pupil><Surname>&lol3;</Surname></Pupil></CTFpupilData></CTfile>"""
