"""The login screen: school name, clock, username, masked password, one generic message.

Argon2 runs in a worker thread so the screen never freezes. Over SSH the key already
chose the account: the username is shown fixed and only the password is asked for.

A burst of keys (a password manager's auto-type, SSH latency) delivers `user<Tab>pass<Enter>`
in one read: Textual queues every key to the username field before the Tab's focus change
takes effect, so the password would be typed, visibly, into the username. The username field
therefore takes the Tab (or Enter) itself and passes every key still queued to it on to the
password (kiosk.widgets.typed, as every field does).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Label, Static

from kiosk.errors import AuthError
from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.clock import Clock
from kiosk.widgets.inputs import SafeInput
from kiosk.widgets.service import ServiceCaller


USERNAME_HINT = "your username"
# In the first field while the console sleeps after an idle lock (no field has the cursor).
WAKE_HINT = "press any key to sign in"


class SignInButton(Button, inherit_css=False):
    """The login screen's one button, drawn exactly as Textual's primary Button.

    Button's own stylesheet (7 KB: every variant, flat and compact forms) is parsed twice
    before the login screen can be drawn, ~12 ms of every start-up; this is its part for a
    primary button in the default and the ANSI themes, copied from Textual 8.2's
    Button.DEFAULT_CSS. tests/console/test_login.py draws the two side by side."""

    DEFAULT_CSS = """
    SignInButton:ansi.-style-default {
        border: tall $border-blurred;
        background: ansi_default;
        &:disabled {
            text-opacity: 1;
            text-style: bold dim;
            border: tall $border-blurred !important;
            background: ansi_default !important;
            pointer: not-allowed;
            &:hover {
                background: ansi_default;
            }
        }
        &:hover {
            background: $ansi-background;
            border: tall $border;
        }
        &.-active {
            background: $ansi-background !important;
            border: blank $background !important;
            tint: transparent;
        }
        &.-primary {
            color: $primary;
            border: tall $primary;
            background: ansi_default;
            &:hover {
                background: $ansi-background;
            }
        }
    }
    SignInButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        &.-style-default {
            text-style: bold;
            color: $button-foreground;
            background: $surface;
            border: none;
            border-top: tall $surface-lighten-1;
            border-bottom: tall $surface-darken-1;
            &:disabled {
                text-opacity: 0.6;
                pointer: not-allowed;
            }
            &:focus {
                text-style: $button-focus-text-style;
                background-tint: $foreground 5%;
            }
            &:hover {
                border-top: tall $surface;
                background: $surface-darken-1;
            }
            &.-active {
                background: $surface;
                border-bottom: tall $surface-lighten-1;
                border-top: tall $surface-darken-1;
                tint: $background 30%;
            }
            &.-primary {
                color: $button-color-foreground;
                background: $primary;
                border-top: tall $primary-lighten-3;
                border-bottom: tall $primary-darken-3;
                &:hover {
                    background: $primary-darken-2;
                    border-top: tall $primary;
                }
                &.-active {
                    background: $primary;
                    border-bottom: tall $primary-lighten-3;
                    border-top: tall $primary-darken-3;
                }
            }
        }
    }
    """


class LoginScreen(ServiceCaller, Screen):
    AUTO_FOCUS = "#password, #username"

    class Outcome(Message):
        def __init__(self, result=None, error: str | None = None, step=None) -> None:
            super().__init__()
            self.result = result
            self.error = error
            self.step = step  # two_factor.LoginStep: is a code (or its set-up) due next?

    def __init__(self, notice: str = "", asleep: bool = False) -> None:
        super().__init__()
        self.notice = notice
        self.busy = False
        # After an idle lock: no field has the cursor until a key wakes the console, and
        # that key is not typed (KioskApp.on_event swallows it and calls wake()).
        self.asleep = asleep
        if asleep:
            self.AUTO_FOCUS = ""
        self.waiting_for_records = False

    def compose(self) -> ComposeResult:
        app = self.app
        remote = getattr(app, "remote_user", None)
        with Vertical(id="login-box"):
            yield Static(Content.styled(app.school_name, "bold"), id="login-school")
            with Horizontal(id="login-subtitle"):
                yield Static(Content("Safeguarding console"), id="login-app-name")
                yield Clock(id="login-clock")
            yield Label(Content("Username"))
            if remote:
                yield Static(Content(remote), id="remote-username")
            else:
                yield SafeInput(id="username", max_length=64, next_on_enter=True,
                                placeholder=WAKE_HINT if self.asleep else USERNAME_HINT)
            yield Label(Content("Password"))
            yield SafeInput(id="password", password=True, max_length=256,
                            placeholder=WAKE_HINT if self.asleep and remote else "")
            yield SignInButton(Content("Sign in"), id="sign-in", variant="primary")
            yield Static(Content(self.notice), id="login-notice")
            yield Static(Content(""), id="login-message")
        yield KioskFooter()

    def wake(self) -> None:
        """The first key (or click) after an idle lock: the cursor goes to the first field."""
        self.asleep = False
        for field in self.query(SafeInput):
            if field.placeholder == WAKE_HINT:
                field.placeholder = USERNAME_HINT if field.id == "username" else ""
        for field in self.query(type(self).AUTO_FOCUS):
            if field.focusable:
                self.set_focus(field)  # at once: the keys after this one go to it
                break

    def show_school_name(self) -> None:
        """The app read the profile after the first paint and the name is not the one shown."""
        self.query_one("#login-school", Static).update(Content.styled(self.app.school_name, "bold"))

    @property
    def username(self) -> str:
        remote = getattr(self.app, "remote_user", None)
        if remote:
            return remote
        return self.query_one("#username", SafeInput).value

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        if event.input.id == "username":
            self.query_one("#password", SafeInput).focus()
        else:
            self.attempt()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "sign-in":
            self.attempt()

    def _say(self, text: str) -> None:
        self.query_one("#login-message", Static).update(Content(text))

    def attempt(self) -> None:
        if self.busy:
            return
        username = self.username.strip()
        password = self.query_one("#password", SafeInput).value
        if not username or not password:
            self._say("Enter your username and password.")
            return
        self.busy = True
        self.query_one("#sign-in", Button).disabled = True
        self.query_one("#login-notice", Static).update(Content(""))
        self._say("Checking…")
        if not getattr(self.app, "records_open", True):
            # The console is still opening its database (kiosk.app, after the first paint):
            # nothing is checked until it is open; records_opened() tries again then.
            self.waiting_for_records = True
            return
        self._authenticate(username, password)

    def records_opened(self) -> None:
        """Called by the app once the database is open: a sign-in asked for before goes on,
        with what the fields hold now."""
        if self.waiting_for_records:
            self.waiting_for_records = False
            self.busy = False
            self.query_one("#sign-in", Button).disabled = False
            self.attempt()

    def _authenticate(self, username: str, password: str) -> None:
        from kiosk.services import accounts, two_factor

        app = self.app
        remote = getattr(app, "remote_user", None) or str(app.origin).startswith("ssh:")
        allowed = app.settings.remote_roles if remote else None
        two_factor_all = app.settings.two_factor_all_staff

        def sign_in():
            result = accounts.authenticate(username, password, origin=app.origin, allowed_roles=allowed)
            return result, two_factor.after_password(result.actor, two_factor_all)

        def refused(exc: BaseException) -> None:
            error = str(exc) if isinstance(exc, AuthError) else f"Cannot sign in just now: {exc}"
            self.post_message(self.Outcome(error=error))

        self.run_service(sign_in, then=lambda r: self.post_message(self.Outcome(result=r[0], step=r[1])),
                         failed=refused, group="login", exclusive=True)

    def on_login_screen_outcome(self, message: Outcome) -> None:
        self.busy = False
        password = self.query_one("#password", SafeInput)
        password.value = ""
        if message.error is not None:
            self.query_one("#sign-in", Button).disabled = False
            self._say(message.error)
            password.focus()
            return
        self._say("")
        self.app.begin_session(message.result, message.step)
