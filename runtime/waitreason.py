"""Why a goroutine is parked, with the text Go prints in goroutine dumps.

Mirrors Go's ``waitReason`` enum (runtime2.go): each member's value is the
exact string shown between the brackets of ``goroutine 7 [chan receive]:``.
Go >= 1.20 names the sync waits (``sync.Mutex.Lock`` ...) where Go 1.19
printed ``semacquire``; csp follows the current wording.

Invariant: a goroutine whose status is WAITING has exactly one WaitReason,
and that reason names the owner of the goroutine (a channel queue, the
timer heap, a sync object's queue) -- see runtime/park.py.
"""

from __future__ import annotations

from enum import Enum


class WaitReason(Enum):
    CHAN_SEND = "chan send"
    CHAN_RECEIVE = "chan receive"
    CHAN_SEND_NIL = "chan send (nil chan)"
    CHAN_RECEIVE_NIL = "chan receive (nil chan)"
    SELECT = "select"
    SELECT_NO_CASES = "select (no cases)"
    SLEEP = "sleep"
    SYNC_WAITGROUP_WAIT = "sync.WaitGroup.Wait"
    SYNC_MUTEX_LOCK = "sync.Mutex.Lock"
    SYNC_RWMUTEX_LOCK = "sync.RWMutex.Lock"
    SYNC_RWMUTEX_RLOCK = "sync.RWMutex.RLock"
    SYNC_COND_WAIT = "sync.Cond.Wait"
    SEMACQUIRE = "semacquire"
    GOEXIT = "goexit"  # main after runtime.Goexit: never woken

    def __str__(self) -> str:
        return self.value
