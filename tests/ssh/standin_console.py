"""A stand-in for the console, started by the SSH server in tests of the PTY plumbing.

argv: MARKER_DIR MODE ORIGIN REMOTE_USER. It reports what it sees (terminal size,
controlling terminal, foreground process group, environment names, arguments), echoes
input, reports SIGWINCH with the new size, and on SIGHUP writes MARKER_DIR/hup-<pid>
and exits (MODE "ignore-hup": it ignores SIGHUP, to test the kill after the grace).
"""

import os
import signal
import sys
import tty

marker_dir, mode = sys.argv[1], sys.argv[2]


def say(text):
    os.write(1, (text + "\r\n").encode())  # raw mode: no newline translation


def size():
    s = os.get_terminal_size(0)
    return f"{s.columns}x{s.lines}"


def on_winch(*_):
    say(f"SIZE {size()}")


def on_hup(*_):
    with open(os.path.join(marker_dir, f"hup-{os.getpid()}"), "w") as fh:
        fh.write("hup")
    os._exit(0)


signal.signal(signal.SIGWINCH, on_winch)
signal.signal(signal.SIGHUP, signal.SIG_IGN if mode == "ignore-hup" else on_hup)
try:
    os.close(os.open("/dev/tty", os.O_RDWR))
    ctty = "yes"
except OSError:
    ctty = "no"
fg = os.tcgetpgrp(0) == os.getpgrp()
tty.setraw(0)  # before READY: setraw flushes pending input
say(f"READY pid={os.getpid()} size={size()} ctty={ctty} fg={fg} sid={os.getsid(0) == os.getpid()}")
say("ENV " + ",".join(sorted(os.environ)))
say("TERM " + os.environ.get("TERM", "") + " COLORTERM " + os.environ.get("COLORTERM", "-"))
say("ARGS " + " ".join(sys.argv[3:]))
while True:
    data = os.read(0, 100)
    if not data or data == b"q":
        say("BYE")
        break
    say(f"GOT {data!r}")
