"""Group commit of audit records: many threads' (and coroutines') records in few transactions,
one linear chain that verifies, each caller returning only once its record is stored, and a
failed write reported to every caller it carried."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import pytest

from interlink.adapters.sql.audit_group import GroupCommit
from interlink.adapters.sql.store import SqlStore


def test_concurrent_records_form_one_verified_chain(store_url: str) -> None:
    store = SqlStore.open(store_url)
    try:
        start = threading.Barrier(12)

        def work(worker: int) -> None:
            start.wait()
            for i in range(15):
                store.audit.record(
                    actor=f"w{worker}", action="case.read", object_type="case", object_id=str(i)
                )

        threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        records = store.audit.records()
        assert len(records) == 12 * 15
        assert store.audit.verify().ok
        assert len({(r.actor, r.object_id) for r in records}) == 12 * 15
        # A worker's records are in the chain in the order it appended them.
        for worker in range(12):
            mine = [int(r.object_id) for r in records if r.actor == f"w{worker}"]
            assert mine == list(range(15))
    finally:
        store.close()


def test_records_of_concurrent_callers_share_a_transaction() -> None:
    writes: list[int] = []

    def write(items: Sequence[int]) -> list[int]:
        writes.append(len(items))
        time.sleep(0.05)  # a slow commit: the others arrive meanwhile
        return [2 * item for item in items]

    group: GroupCommit[int, int] = GroupCommit(write)
    results: dict[int, int] = {}
    threads = [
        threading.Thread(target=lambda n=n: results.__setitem__(n, group.submit(n)))
        for n in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: 2 * n for n in range(20)}
    assert sum(writes) == 20 and len(writes) < 20
    assert (group.batches, group.items) == (len(writes), 20)


def test_a_failed_write_raises_in_every_caller_it_carried() -> None:
    entered = threading.Event()
    release = threading.Event()
    calls = 0

    def write(items: Sequence[str]) -> list[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            entered.set()
            release.wait(10)
            return list(items)
        raise RuntimeError("disk full")

    group: GroupCommit[str, str] = GroupCommit(write)
    outcomes: dict[str, str] = {}

    def submit(item: str) -> None:
        try:
            outcomes[item] = group.submit(item)
        except RuntimeError as exc:
            outcomes[item] = f"error: {exc}"

    first = threading.Thread(target=submit, args=("first",))
    first.start()
    assert entered.wait(10)
    others = [threading.Thread(target=submit, args=(f"r{n}",)) for n in range(5)]
    for thread in others:
        thread.start()
    time.sleep(0.2)  # all five wait behind the first write
    release.set()
    for thread in [first, *others]:
        thread.join()
    assert outcomes["first"] == "first"
    assert {outcomes[f"r{n}"] for n in range(5)} == {"error: disk full"}
    assert calls == 2


def test_a_batch_never_exceeds_its_limit() -> None:
    sizes: list[int] = []
    gate = threading.Event()

    def write(items: Sequence[int]) -> list[int]:
        sizes.append(len(items))
        gate.wait(10)
        return list(items)

    group: GroupCommit[int, int] = GroupCommit(write, max_batch=3)
    threads = [threading.Thread(target=group.submit, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    gate.set()
    for thread in threads:
        thread.join()
    assert sum(sizes) == 10 and max(sizes) <= 3


@pytest.mark.parametrize("count", [1, 3])
def test_append_in_a_transaction_still_chains(store_url: str, count: int) -> None:
    store = SqlStore.open(store_url)
    try:
        for i in range(count):
            with store.transaction() as tx:
                store.audit.append(tx, actor="a", action="x", object_type="t", object_id=str(i))
            store.audit.record(actor="b", action="y", object_type="t", object_id=str(i))
        assert len(store.audit.records()) == 2 * count
        assert store.audit.verify().ok
    finally:
        store.close()


def test_coroutines_wait_for_their_commit_without_a_thread_and_share_transactions() -> None:
    writes: list[tuple[str, int]] = []

    def write(items: Sequence[int]) -> list[int]:
        writes.append((threading.current_thread().name, len(items)))
        time.sleep(0.02)
        return [3 * item for item in items]

    group: GroupCommit[int, int] = GroupCommit(write)

    async def main() -> list[int]:
        return list(await asyncio.gather(*(group.submit_async(n) for n in range(30))))

    assert asyncio.run(main()) == [3 * n for n in range(30)]
    assert sum(size for _, size in writes) == 30 and len(writes) < 30
    assert all(name.startswith("group-commit") for name, _ in writes)


def test_a_coroutine_behind_a_thread_s_write_is_written_next() -> None:
    entered = threading.Event()
    release = threading.Event()

    def write(items: Sequence[str]) -> list[str]:
        if items == ["thread"]:
            entered.set()
            release.wait(10)
        return [item.upper() for item in items]

    group: GroupCommit[str, str] = GroupCommit(write)
    leader = threading.Thread(target=group.submit, args=("thread",))
    leader.start()
    assert entered.wait(10)

    async def behind() -> str:
        waiting = asyncio.ensure_future(group.submit_async("coroutine"))
        await asyncio.sleep(0.1)
        assert not waiting.done()  # its commit has not happened yet
        release.set()
        return await asyncio.wait_for(waiting, 10)

    assert asyncio.run(behind()) == "COROUTINE"
    leader.join()
    assert (group.batches, group.items) == (2, 2)


def test_a_failed_write_raises_in_a_waiting_coroutine() -> None:
    def write(items: Sequence[str]) -> list[str]:
        raise RuntimeError("disk full")

    group: GroupCommit[str, str] = GroupCommit(write)
    with pytest.raises(RuntimeError, match="disk full"):
        asyncio.run(group.submit_async("x"))


def test_a_record_from_a_coroutine_is_chained_and_stored(store_url: str) -> None:
    store = SqlStore.open(store_url)
    try:

        async def main() -> None:
            await asyncio.gather(
                *(
                    store.audit.record_async(
                        actor="c", action="token.use", object_type="token", object_id=str(n)
                    )
                    for n in range(10)
                )
            )

        asyncio.run(main())
        store.audit.record(actor="t", action="case.read", object_type="case", object_id="x")
        records = store.audit.records()
        assert sorted(r.object_id for r in records[:10]) == sorted(str(n) for n in range(10))
        assert records[10].object_id == "x"
        assert len(records) == 11 and store.audit.verify().ok
    finally:
        store.close()


def test_with_two_writers_a_second_batch_starts_during_a_slow_write() -> None:
    entered = threading.Event()
    release = threading.Event()
    under_way: list[int] = []
    most = 0
    lock = threading.Lock()

    def write(items: Sequence[str]) -> list[str]:
        nonlocal most
        with lock:
            under_way.append(1)
            most = max(most, len(under_way))
        if items == ["slow"]:
            entered.set()
            release.wait(10)
        with lock:
            under_way.pop()
        return [item.upper() for item in items]

    group: GroupCommit[str, str] = GroupCommit(write, writers=2)

    async def main() -> list[str]:
        slow = asyncio.ensure_future(group.submit_async("slow"))
        await asyncio.to_thread(entered.wait, 10)
        # Written while the slow batch is still under way, not after its commit.
        quick = await asyncio.wait_for(group.submit_async("quick"), 10)
        assert not slow.done()
        release.set()
        return [await slow, quick]

    assert asyncio.run(main()) == ["SLOW", "QUICK"]
    assert most == 2 and (group.batches, group.items) == (2, 2)


def test_with_two_writers_every_item_of_many_callers_is_written_once() -> None:
    written: list[int] = []
    lock = threading.Lock()

    def write(items: Sequence[int]) -> list[int]:
        time.sleep(0.005)
        with lock:
            written.extend(items)
        return list(items)

    group: GroupCommit[int, int] = GroupCommit(write, writers=2)

    async def coroutines() -> list[int]:
        return list(await asyncio.gather(*(group.submit_async(n) for n in range(200))))

    threads = [threading.Thread(target=lambda n=n: group.submit(1000 + n)) for n in range(50)]
    for thread in threads:
        thread.start()
    assert asyncio.run(coroutines()) == list(range(200))
    for thread in threads:
        thread.join()
    assert sorted(written) == [*range(200), *range(1000, 1050)]
    assert group.items == 250
