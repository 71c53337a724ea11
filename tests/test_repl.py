"""The terminal REPL (csp/repl.py): headless through prompt-toolkit's pipe
input, and once for real in a pseudo-terminal (pexpect)."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from csp.repl import CspCompleter, run_repl
from csp.session import input_complete

Feeder = Callable[[Callable[[str], None], io.StringIO, io.StringIO], None]


def wait_for(stream: io.StringIO, text: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while text not in stream.getvalue():
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared in {stream.getvalue()!r}")
        time.sleep(0.02)


def drive(feed: Feeder, history: Path) -> tuple[int, str, str]:
    """Run the REPL on a pipe; feed(type, out, err) types into it from a
    thread and ends with Ctrl-D."""
    from csp.session import Session

    saved = os.environ.get("CSP_HISTORY")
    os.environ["CSP_HISTORY"] = str(history)
    out, err = io.StringIO(), io.StringIO()
    failure: list[BaseException] = []
    session = Session(lambda: out, lambda: err)
    with create_pipe_input() as pipe:
        def typing() -> None:
            try:
                feed(pipe.send_text, out, err)
            except BaseException as e:  # noqa: BLE001 - reported by the test
                failure.append(e)
                session.interrupt()  # never leave the REPL stuck in an entry
            pipe.send_text("\x04")

        t = threading.Thread(target=typing)
        t.start()
        try:
            code = run_repl(input=pipe, output=DummyOutput(), session=session)
        finally:
            t.join()
            if saved is None:
                os.environ.pop("CSP_HISTORY", None)
            else:
                os.environ["CSP_HISTORY"] = saved
    if failure:
        raise failure[0]
    return code, out.getvalue(), err.getvalue()


def test_multiline_function_definition(tmp_path: Path) -> None:
    def feed(type_: Callable[[str], None], out: io.StringIO, err: io.StringIO) -> None:
        type_("func sq(n int) int {\r")
        type_("return n * n\r")
        type_("}\r")
        type_("sq(7)\r")
        wait_for(out, "49 (int)")

    code, out, err = drive(feed, tmp_path / "h")
    assert code == 0
    assert "49 (int)\n" in out
    assert err == ""


def test_goroutine_in_one_entry_received_in_the_next(tmp_path: Path) -> None:
    def feed(type_: Callable[[str], None], out: io.StringIO, err: io.StringIO) -> None:
        type_("ch := make(chan string)\r")
        type_('go func() { ch <- "hello" }()\r')
        type_("<-ch\r")
        wait_for(out, "hello (string)")

    code, out, _ = drive(feed, tmp_path / "h")
    assert code == 0 and "hello (string)\n" in out


def test_compile_error_then_good_entry(tmp_path: Path) -> None:
    def feed(type_: Callable[[str], None], out: io.StringIO, err: io.StringIO) -> None:
        type_("x := nope\r")
        wait_for(err, "undefined: nope")
        type_("2 * 21\r")
        wait_for(out, "42 (int)")

    code, out, err = drive(feed, tmp_path / "h")
    assert "<input>:1:6: undefined: nope\n    x := nope\n         ^\n" in err
    assert "42 (int)\n" in out


def test_ctrl_c_interrupts_an_endless_loop(tmp_path: Path) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread for SIGINT")

    def feed(type_: Callable[[str], None], out: io.StringIO, err: io.StringIO) -> None:
        type_("n := 0\r")
        type_('fmt.Println("ready")\r')
        wait_for(out, "ready\n")
        type_('fmt.Println("looping"); for { n++ }\r')
        wait_for(out, "looping\n")
        os.kill(os.getpid(), signal.SIGINT)
        wait_for(err, "interrupted")
        type_("n > 0\r")
        wait_for(out, "true (bool)")

    code, out, err = drive(feed, tmp_path / "h")
    assert code == 0
    assert "true (bool)\n" in out


def test_ctrl_c_at_the_prompt_drops_the_input(tmp_path: Path) -> None:
    def feed(type_: Callable[[str], None], out: io.StringIO, err: io.StringIO) -> None:
        type_("this is not go\x03")
        type_("1 + 1\r")
        wait_for(out, "2 (int)")

    code, out, err = drive(feed, tmp_path / "h")
    assert err == "" and "2 (int)\n" in out


def test_history_is_saved_and_reloaded(tmp_path: Path) -> None:
    history = tmp_path / "history"

    def first(type_: Callable[[str], None], out: io.StringIO, err: io.StringIO) -> None:
        type_("40 + 2\r")
        wait_for(out, "42 (int)")

    drive(first, history)
    assert "40 + 2" in history.read_text()

    def second(type_: Callable[[str], None], out: io.StringIO, err: io.StringIO) -> None:
        type_("\x1b[A\r")  # up arrow: the previous session's entry
        wait_for(out, "42 (int)")

    _, out, _ = drive(second, history)
    assert "42 (int)\n" in out


def test_input_complete() -> None:
    assert input_complete("x := 1")
    assert not input_complete("func f() {")
    assert not input_complete("f(1,\n")
    assert input_complete('s := "{"')
    assert not input_complete("s := `raw\n")
    assert input_complete("// {")


def test_completer() -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from csp.session import Session

    session = Session(lambda: io.StringIO(), lambda: io.StringIO())
    try:
        session.execute("type P struct{ Name string }")
        session.execute("p := P{}")
        comp = CspCompleter(session)

        def texts(text: str) -> list[str]:
            return [c.text for c in comp.get_completions(Document(text), CompleteEvent())]

        assert "ToUpper" in texts("strings.To")
        assert texts("p.Na") == ["Name"]
        assert "func" in texts("fu")
        assert ":goroutines" in texts(":go")
    finally:
        session.close()


def test_real_terminal_pexpect(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, CSP_HISTORY=str(tmp_path / "h"), TERM="xterm")
    child = pexpect.spawn(sys.executable, ["-m", "csp"], env=env, encoding="utf-8",
                          timeout=60, dimensions=(24, 100))
    try:
        child.expect("csp>")
        child.sendline("ch := make(chan int)")
        child.expect("csp>")
        child.send("go func() {\r")
        child.expect(r"\.\.\.")  # continuation prompt: the brace is open
        child.send("ch <- 6 * 7\r")
        child.send("}()\r")
        child.expect("csp>")
        child.sendline("<-ch")
        child.expect(r"42 \(int\)")
        child.sendline(":goroutines")
        child.expect("csp>")
        child.sendline('fmt.Println("looping"); for {}')
        child.expect("looping\r\n")  # the output, not the echo of the input
        child.kill(signal.SIGINT)  # what the terminal sends for Ctrl-C
        child.expect("interrupted")
        child.expect("csp>")  # the session goes on with a fresh prompt
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_real_terminal_tmux(tmp_path: Path) -> None:
    """Type a session into a tmux pane and read the rendered screen."""
    import shutil
    import subprocess
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    name = f"csp-test-{os.getpid()}"
    sock = str(tmp_path / "tmux.sock")
    env = f"CSP_HISTORY={tmp_path / 'h'} TERM=xterm"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-S", sock, *args], check=True,
                              capture_output=True, text=True).stdout

    def screen_has(text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = tmux("capture-pane", "-p", "-t", name)
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on screen:\n{screen}")
            time.sleep(0.1)

    tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30",
         f"env {env} {sys.executable} -m csp repl; sleep 30")
    try:
        screen_has("csp>")
        tmux("send-keys", "-t", name, "x := 6", "Enter")
        tmux("send-keys", "-t", name, "func mul(a, b int) int {", "Enter")
        screen_has("...")
        tmux("send-keys", "-t", name, "return a * b", "Enter", "}", "Enter")
        tmux("send-keys", "-t", name, "mul(x, 7)", "Enter")
        screen = screen_has("42 (int)")
        assert "csp> x := 6" in screen
        # A goroutine prints while the prompt waits: above the prompt.
        tmux("send-keys", "-t", name,
             'go func() { time.Sleep(300 * time.Millisecond); fmt.Println("in", "background") }()',
             "Enter")
        screen = screen_has("in background")  # the output, not the typed line
        deadline = time.monotonic() + 10
        while not screen.rstrip().endswith("csp>") and time.monotonic() < deadline:
            screen = screen_has("in background")
        assert screen.rstrip().endswith("csp>")
        tmux("send-keys", "-t", name, 'fmt.Println("looping"); for {}', "Enter")
        screen_has("looping\n")
        tmux("send-keys", "-t", name, "C-c")
        screen_has("interrupted")
        tmux("send-keys", "-t", name, "x * 2", "Enter")
        screen_has("12 (int)")
        tmux("send-keys", "-t", name, "C-d")
    finally:
        subprocess.run(["tmux", "-S", sock, "kill-server"], capture_output=True)
