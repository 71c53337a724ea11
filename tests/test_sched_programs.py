"""End-to-end: real .csp programs compiled by lang.pipeline and run on the
G-M-P Scheduler (time, sync, context, runtime, atomic packages)."""

from __future__ import annotations

import io

import pytest

import stdlib
from lang.pipeline import load
from runtime.scheduler import Scheduler
from stdlib.time import duration_string

stdlib.load_all()


def run_src(src: str, procs: int = 4, seed: int = 1, **kw: object) -> tuple[int, str, str]:
    res = load("prog.csp", src)
    assert res.program is not None, res.diagnostics
    out, err = io.StringIO(), io.StringIO()
    m = Scheduler(out, err, procs=procs, seed=seed, **kw)  # type: ignore[arg-type]
    code = m.run(res.program.entry)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("ns,text", [
    (0, "0s"), (1, "1ns"), (1500, "1.5µs"), (250_000, "250µs"), (1_234_567, "1.234567ms"),
    (1_500_000_000, "1.5s"), (90_000_000_000, "1m30s"), (7_380_000_000_000, "2h3m0s"),
    (-5_000_000_000, "-5s"), (3_600_000_000_000, "1h0m0s")])
def test_duration_string(ns: int, text: str) -> None:
    assert duration_string(ns) == text


def test_sleep_timers_and_virtual_time() -> None:
    code, out, _ = run_src("""package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(100 * time.Millisecond)
		}()
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Println(el >= 100*time.Millisecond, el < 101*time.Millisecond)
	select {
	case <-time.After(20 * time.Millisecond):
		fmt.Println("timeout")
	case <-make(chan int):
	}
	t := time.NewTimer(time.Hour)
	fmt.Println(t.Stop(), t.Stop())
	fmt.Println(time.Now().Format("2006-01-02 15:04"))
}
""")
    assert code == 0
    assert out == "true true\ntimeout\ntrue false\n2009-11-10 23:00\n"


def test_mutex_rwmutex_once_cond_atomic() -> None:
    code, out, _ = run_src("""package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var mu sync.Mutex
	var rw sync.RWMutex
	var once sync.Once
	var n, calls int
	var hits int64
	var wg sync.WaitGroup
	cond := sync.NewCond(&mu)
	ready := false
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			for !ready {
				cond.Wait()
			}
			mu.Unlock()
			for j := 0; j < 100; j++ {
				mu.Lock()
				n++
				mu.Unlock()
				rw.RLock()
				_ = n
				rw.RUnlock()
				atomic.AddInt64(&hits, 1)
				once.Do(func() { calls++ })
			}
		}()
	}
	mu.Lock()
	ready = true
	cond.Broadcast()
	mu.Unlock()
	wg.Wait()
	fmt.Println(n, calls, atomic.LoadInt64(&hits))
}
""")
    assert (code, out) == (0, "800 1 800\n")


def test_context_timeout_and_numgoroutine() -> None:
    code, out, _ = run_src("""package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error)
	go func() {
		<-ctx.Done()
		done <- ctx.Err()
	}()
	fmt.Println(runtime.NumGoroutine())
	fmt.Println(<-done)
	runtime.Gosched()
	fmt.Println(runtime.NumGoroutine(), runtime.GOMAXPROCS(0))
}
""")
    assert (code, out) == (0, "2\ncontext deadline exceeded\n1 4\n")


def test_deadlock_dump_shape() -> None:
    code, out, err = run_src("""package main

func main() {
	ch := make(chan int)
	go func() {
		ch <- 1
		ch <- 2
	}()
	<-ch
	var mu sync.Mutex
	mu.Lock()
	mu.Lock()
}
""".replace("package main\n", "package main\n\nimport \"sync\"\n"))
    assert code == 2
    assert err == ("fatal error: all goroutines are asleep - deadlock!\n\n"
                   "goroutine 1 [sync.Mutex.Lock]:\nmain.main()\n\tprog.csp:14\n\n"
                   "goroutine 6 [chan send]:\nmain.main.func1()\n\tprog.csp:9\n"
                   "created by main.main in goroutine 1\n\tprog.csp:7\n")


# The parallel speed-up in virtual time (1 vs 4 processors) is asserted, with
# tighter bounds (3.3x-4.3x), by test_cpu_bound_work_on_4_procs_takes_a_quarter_of_1_proc
# in tests/test_sched_issue3.py.
