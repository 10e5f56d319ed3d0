"""The chain lock sampler says how often the lock is held and by whom."""

from audit.record import APPEND_LOCK_KEY
from bench.harness.locks import AppendLockSampler, _lock_ids


def test_it_counts_the_lock_by_holder_and_what_the_holder_does():
    sampler = AppendLockSampler("bench")
    idle = ("", "idle", None, None, False)
    sampler.add_sample([("audit-sequencer", "active", "IO", "WALSync", True), idle])
    sampler.add_sample([("", "idle in transaction", "Client", "ClientRead", True)])
    sampler.add_sample([idle, ("", "active", "Lock", "advisory", False)])
    sampler.add_sample([("", "active", "Lock", "transactionid", False)])
    sampler.add_sample([idle])
    assert sampler.held_percent() == 40
    assert sampler.held_percent("sequencer") == 20
    assert sampler.held_percent("request path") == 20
    rows = dict(sampler.summary())
    assert rows["chain lock held"] == "40.0% of samples"
    assert rows["  held by the sequencer"] == "20.0% of samples"
    assert rows["  held by the checkpoint writer"] == "0.0% of samples"
    assert rows["  holder flushing WAL"] == "50%"
    assert rows["  waiting for it"] == "0.20 connections on average"
    assert rows["waiting on a row lock (e.g. the tip number)"] == "0.20 connections on average"


def test_it_watches_the_chain_lock_key_only():
    classid, objid = _lock_ids()
    assert (classid << 32 | objid) == APPEND_LOCK_KEY & (2**64 - 1)
