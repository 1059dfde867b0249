"""Ctrl-C during an apply: the handler's answer to a second Ctrl-C that lands while it is still
handling the first (a person pressing twice, or a test reacting to the first message)."""

from __future__ import annotations

import os
import signal
import threading

from gkeplan.cli.changes import CtrlC


def test_a_second_ctrl_c_sent_on_seeing_the_first_message_stops_the_waiting() -> None:
    stop_waiting = threading.Event()
    said: list[str] = []

    def echo(text: str) -> None:
        said.append(text)
        if len(said) == 1:
            # the user presses Ctrl-C again the moment the first message appears: Python
            # runs the handler again, nested inside this call
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # bytecodes for the pending handler to run on
                pass

    ctrl_c = CtrlC(stop_waiting, echo)
    previous = signal.signal(signal.SIGINT, ctrl_c)
    try:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
    finally:
        signal.signal(signal.SIGINT, previous)
    assert len(said) == 2, said
    assert said[0].strip().startswith("Interrupted: finishing the calls in flight")
    assert said[1].strip().startswith("Interrupted again: no longer waiting")
    assert ctrl_c.stop.is_set() and ctrl_c.interrupted.is_set()
    assert stop_waiting.is_set()


def test_one_ctrl_c_stops_starting_new_changes_but_keeps_waiting() -> None:
    stop_waiting = threading.Event()
    said: list[str] = []
    ctrl_c = CtrlC(stop_waiting, said.append)
    ctrl_c(signal.SIGINT, None)
    assert ctrl_c.stop.is_set()
    assert not stop_waiting.is_set()
    assert len(said) == 1
