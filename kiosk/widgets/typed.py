"""Keys that arrive in a burst (a fast typist, a paste typed as keys, SSH latency) act in the
order they were typed.

Textual hands each key to the widget focused when the key is *sent*, and the widget handles
it later, from its own queue. Two things then go out of order in a burst:

- A priority key (ctrl+s to save, the hide and log-out keys) acts at once, in the app, while
  the letters typed just before it still wait in the field's queue: the form was saved (or
  kept as a draft) without them. `keys_sent_handled(app)` waits until the focused widget
  has handled every key already sent to it; the app awaits it before any priority key acts
  (KioskApp.on_event), so every save, submit, hide and log-out key on every form and dialog
  sees everything typed before it.
- Tab moves the focus only once the field has handled it and it has travelled up to the
  app's bindings, by which time the keys typed after it have already been sent to the old
  field. `FocusInOrder` (mixed into SafeInput and SafeTextArea) takes Tab, shift+Tab and,
  where a field asks for it, Enter itself: the focus moves at once, and keys that still
  reach the field afterwards are passed on to the field that has the focus now.

Nothing here imports a screen or the database.
"""

from __future__ import annotations

import asyncio

from textual import events

__all__ = ["FocusInOrder", "is_priority_key", "keys_sent_handled"]

# Longest wait for the focused widget to catch up before a priority key acts anyway: a
# widget stuck on something must not leave the hide key dead.
CATCH_UP_SECONDS = 2.0
_POLL_SECONDS = 0.05


async def keys_sent_handled(app, timeout: float = CATCH_UP_SECONDS) -> bool:
    """Return once the focused widget has handled every message already sent to it (the
    keys typed before now). False if it went away or took longer than `timeout`."""
    widget = app.focused
    if widget is None:
        return True
    handled = asyncio.Event()
    # Callbacks run in the order they were queued, after what is queued before them.
    if not widget.call_later(handled.set):
        return False  # closing: nothing more will be typed into it
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not handled.is_set():
        try:
            await asyncio.wait_for(handled.wait(), _POLL_SECONDS)
        except asyncio.TimeoutError:
            if not widget.is_attached or loop.time() >= deadline:
                return False
    return True


def is_priority_key(screen, key: str) -> bool:
    """Whether a priority binding (one that acts before the focused widget sees the key)
    takes `key` on this screen, the app's own included."""
    try:
        chain = screen._binding_chain  # what Textual itself reads for priority bindings
    except Exception:  # noqa: BLE001 - no screen yet, or Textual moved it: wait to be safe
        return True
    return any(binding.priority
               for _node, bindings in chain
               for binding in bindings.key_to_bindings.get(key, ()))


class FocusInOrder:
    """Mixin for a focusable field: Tab / shift+Tab (and Enter, with `next_on_enter`) move
    the focus at once, and keys that reach this field after it gave the focus away (sent
    to it before the move) go on to the field that has it now, in order.

    Textual calls `_on_key` / `_on_focus` of every class in the MRO in turn (until one
    prevents the default), so these do not call super()."""

    next_on_enter: bool = False
    _passing_to = None  # the field that took the focus from this one by a key

    def _on_focus(self, event: events.Focus) -> None:
        self._passing_to = None  # focused again (shift+Tab, a click): keys are ours again

    def _on_key(self, event: events.Key) -> None:
        target = self._passing_to
        if target is not None:
            event.stop()
            event.prevent_default()
            key = events.Key(event.key, event.character)
            key._set_forwarded()  # as the app sends a key to the focused widget
            target.post_message(key)
            return
        if event.key == "tab" and getattr(self, "tab_behavior", "focus") == "indent":
            return  # a text area that types the tab
        step = {"tab": 1, "shift+tab": -1}.get(event.key)
        if step is None and event.key == "enter" and self.next_on_enter:
            step = 1
        if step is None:
            return
        screen = self.screen  # type: ignore[attr-defined]
        moved = screen.focus_next() if step > 0 else screen.focus_previous()
        if moved is not None and moved is not self:
            event.stop()
            event.prevent_default()
            self._passing_to = moved
