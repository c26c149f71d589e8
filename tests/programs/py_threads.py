#!/usr/bin/python3
# py_threads.py: python's threads: threading with locks, conditions, semaphores, events, timers
# and thread-local data, queue producers and consumers, concurrent.futures thread pools,
# multiprocessing pools and queues (which run helper threads), subprocess from several threads.
import concurrent.futures as cf
import multiprocessing as mp
import queue
import subprocess
import threading


def sq(x):
    return x * x


def locks():
    lock, total = threading.Lock(), [0]

    def add(n):
        for _ in range(n):
            with lock:
                total[0] += 1
    ts = [threading.Thread(target=add, args=(5000,)) for _ in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print("lock: total", total[0])
    cond, items = threading.Condition(), []

    def consume(out):
        with cond:
            cond.wait_for(lambda: items)
            out.append(items.pop())
    got = []
    cs = [threading.Thread(target=consume, args=(got,)) for _ in range(3)]
    [c.start() for c in cs]
    for i in range(3):
        with cond:
            items.append(i)
            cond.notify()
    [c.join() for c in cs]
    print("condition: got", sorted(got))
    sem, inside, most = threading.BoundedSemaphore(2), [0], [0]

    def limited():
        with sem:
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            threading.Event().wait(0.01)
            with lock:
                inside[0] -= 1
    ts = [threading.Thread(target=limited) for _ in range(6)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print("semaphore: at most", most[0], "inside")


def events_and_locals():
    ev = threading.Event()
    threading.Timer(0.05, ev.set).start()
    print("timer set the event:", ev.wait(10))
    print("an unset event times out:", threading.Event().wait(0.05))
    local, seen = threading.local(), []

    def mine(v):
        local.v = v
        threading.Event().wait(0.01)
        seen.append(local.v == v)
    ts = [threading.Thread(target=mine, args=(i,)) for i in range(5)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print("thread-local values kept:", all(seen), len(seen))


def queues_and_pools():
    q, out = queue.Queue(maxsize=3), []

    def prod():
        for i in range(50):
            q.put(i)
        q.put(None)

    def cons():
        while (x := q.get()) is not None:
            out.append(x)
    a, b = threading.Thread(target=prod), threading.Thread(target=cons)
    a.start(), b.start(), a.join(), b.join()
    print("queue: sum", sum(out))
    with cf.ThreadPoolExecutor(4) as ex:
        print("thread pool:", sum(ex.map(sq, range(100))))
        futs = [ex.submit(subprocess.run, ["echo", str(i)], capture_output=True, text=True) for i in range(4)]
        print("subprocess from threads:", sorted(f.result().stdout.strip() for f in futs))
    ctx = mp.get_context("fork")
    with ctx.Pool(3) as pool:
        print("process pool:", pool.map(sq, range(10)))
    mq = ctx.Queue()
    p = ctx.Process(target=mq.put, args=("through a multiprocessing queue",))
    p.start()
    print(mq.get(timeout=30))
    p.join()
    print("child exit code", p.exitcode)


locks()
events_and_locals()
queues_and_pools()
