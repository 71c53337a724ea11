"""Leak reports (runtime/leaks.py): goroutines blocked forever when main
returns are listed on stderr with a wait-for explanation; stdout and the
exit status are untouched in warn mode, --leaks=error exits 8."""

from __future__ import annotations

import io

import stdlib
from lang.pipeline import load
from runtime.leaks import LEAK_EXIT_CODE
from runtime.run import RunOptions, run_program

stdlib.load_all()


def run(source: str, leaks: str = "warn") -> tuple[int, str, str]:
    res = load("prog.csp", source)
    assert res.program is not None, res.diagnostics
    out, err = io.StringIO(), io.StringIO()
    code = run_program(res.program, RunOptions(stdout=out, stderr=err, leaks=leaks))
    return code, out.getvalue(), err.getvalue()


FAN_IN = """package main

import (
	"fmt"
	"time"
)

func search(done chan struct{}) int {
	results := make(chan int)
	for i := 1; i <= 3; i++ {
		go func(i int) {
			select {
			case results <- i * 10:
			DONE_CASE
			}
		}(i)
	}
	for r := range results {
		if r > 0 {
			return r // early return: the other senders are stuck
		}
	}
	return 0
}

func main() {
	done := make(chan struct{})
	fmt.Println(search(done) > 0)
	CLOSE
	time.Sleep(time.Millisecond)
}
"""

LEAKY = FAN_IN.replace("DONE_CASE", "").replace("CLOSE", "")
FIXED = FAN_IN.replace("DONE_CASE", "case <-done:").replace("CLOSE", "close(done)")


def test_early_return_from_fan_in_leaks_two_senders() -> None:
    code, out, err = run(LEAKY)
    assert (code, out) == (0, "true\n")
    assert err.startswith("csp: warning: 2 goroutines leaked (blocked forever when main "
                          "returned):\n")
    assert err.count("[select]:") == 2
    assert "main.search.func1()\n\tprog.csp:12" in err
    assert "created by main.search in goroutine 1\n\tprog.csp:11" in err
    assert "waits to send on an unbuffered channel (made at prog.csp:9); no goroutine " \
           "that can still run holds it" in err


def test_fixed_fan_in_with_done_channel_is_silent() -> None:
    assert run(FIXED) == (0, "true\n", "")


def test_error_mode_exits_8_and_off_mode_is_silent() -> None:
    code, out, err = run(LEAKY, leaks="error")
    assert (code, out) == (LEAK_EXIT_CODE, "true\n")
    assert "leaked" in err
    assert run(LEAKY, leaks="off") == (0, "true\n", "")


def test_nil_channel_wait_and_blocked_holders_are_explained() -> None:
    src = """package main

import "time"

func main() {
	var never chan int
	go func() { <-never }()
	a := make(chan int)
	go func() { a <- 1 }()
	go func() {
		b := a
		time.Sleep(time.Hour * 0)
		<-make(chan int)
		_ = b
	}()
	time.Sleep(time.Millisecond)
}
"""
    code, _, err = run(src)
    assert code == 0
    assert "[chan receive (nil chan)]" in err
    assert "nothing can ever wake it" in err
    assert "only blocked goroutine 8 does" in err


def test_goroutine_reachable_from_a_sleeper_is_not_leaked() -> None:
    src = """package main

import (
	"fmt"
	"time"
)

func main() {
	ch := make(chan int)
	go func() { fmt.Println(<-ch) }()
	go func() {
		time.Sleep(time.Hour)
		ch <- 1
	}()
	time.Sleep(time.Millisecond)
}
"""
    assert run(src) == (0, "", "")


def test_sleeping_goroutines_and_clean_exit_are_not_reported() -> None:
    src = """package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	ch := make(chan int, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ch <- i
		}(i)
	}
	wg.Wait()
	close(ch)
	n := 0
	for v := range ch {
		n += v
	}
	fmt.Println(n)
}
"""
    assert run(src) == (0, "3\n", "")


def test_panicking_program_is_not_checked() -> None:
    src = """package main

func main() {
	go func() { select {} }()
	panic("boom")
}
"""
    code, _, err = run(src)
    assert code == 2
    assert "leaked" not in err


def test_partial_deadlock_is_reported_while_a_sleeper_keeps_running() -> None:
    src = """package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	results := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		results <- 42
	}()
	go func() {
		for i := 0; i < 12; i++ {
			time.Sleep(time.Second)
			fmt.Println("tick", i)
		}
	}()
	wg.Wait()
}
"""
    code, out, err = run(src)
    assert out == "".join(f"tick {i}\n" for i in range(12))
    assert code == 2 and "all goroutines are asleep - deadlock!" in err
    head = err.splitlines()[0]
    assert head == ("csp: warning: partial deadlock at 10s (virtual time): 2 goroutines can "
                    "never run again including main, so the program can never finish:")
    assert "goroutine 1 waits on a sync.WaitGroup; no goroutine that can still run holds " \
           "it; only blocked goroutine 6 does" in err
    assert "goroutine 6 waits to send on an unbuffered channel (made at prog.csp:11)" in err
    # The partial deadlock is announced (after 10 s of virtual time) before
    # the sleeper finishes.
    assert err.index("partial deadlock") < err.index("fatal error")
    assert run(src, leaks="off")[2].startswith("fatal error: all goroutines are asleep")


def test_short_lived_stall_ending_in_deadlock_gets_only_the_deadlock_report() -> None:
    src = """package main

import "time"

func main() {
	go func() {
		for i := 0; i < 3; i++ {
			time.Sleep(time.Second)
		}
	}()
	<-make(chan int)
}
"""
    code, _, err = run(src)
    assert code == 2
    assert err.startswith("fatal error: all goroutines are asleep - deadlock!")


# Only the sleeper is live; it can reach goroutine 11 (relay 4), whose
# frame reaches relay 3's channel, and so on down to goroutine 6: a chain
# found back to front (ids descending), which the work list handles in one
# pass.  Goroutine 13 waits on a channel nobody holds.
RELAY_CHAIN = """package main

import (
	"fmt"
	"time"
)

func relay(in <-chan int, out chan<- int) { out <- <-in }

func wake(c chan<- int) {
	time.Sleep(time.Hour)
	c <- 1
}

func setup() {
	var chans []chan int
	for i := 0; i < 6; i++ {
		chans = append(chans, make(chan int))
	}
	go func(c <-chan int) { fmt.Println(<-c) }(chans[0])
	for i := 0; i < 5; i++ {
		go relay(chans[i+1], chans[i])
	}
	go wake(chans[5])
	go func() { <-make(chan int) }()
}

func main() {
	setup()
	time.Sleep(time.Millisecond)
}
"""


def test_a_chain_of_relays_woken_by_a_sleeper_is_not_leaked() -> None:
    code, out, err = run(RELAY_CHAIN)
    assert (code, out) == (0, "")
    assert "1 goroutine leaked" in err
    assert "goroutine 13 [chan receive]" in err
    assert all(f"goroutine {i} " not in err for i in range(2, 13))
