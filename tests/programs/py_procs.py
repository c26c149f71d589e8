#!/usr/bin/python3
# py_procs.py: python's process machinery: subprocess (run, pipes, shell, timeouts, missing
# programs, signals), multiprocessing with the fork start method (Process, Pipe, Value, Lock,
# terminate, exit codes) and a unittest suite whose tests spawn processes, run in-process.
import io
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import unittest


def subprocesses():
    print(subprocess.run(["echo", "hi"], capture_output=True, text=True).stdout.strip())
    print(subprocess.check_output("echo a b | tr a-z A-Z", shell=True, text=True).strip())
    p = subprocess.Popen([sys.executable, "-c", "import sys; print(sys.stdin.read()[::-1])"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    print("communicate:", p.communicate("stressed")[0].strip(), p.returncode)
    try:
        subprocess.run(["/nonexistent/program"])
    except FileNotFoundError as e:
        print("missing program: errno", e.errno)
    print("exit status:", subprocess.run(["sh", "-c", "exit 3"]).returncode)
    print("killed by:", subprocess.run(["sh", "-c", "kill -TERM $$"]).returncode)
    try:
        subprocess.run(["sleep", "10"], timeout=0.5)
    except subprocess.TimeoutExpired:
        print("timeout expired")
    out = subprocess.run("for i in 1 2 3; do echo $i; done | wc -l", shell=True, capture_output=True, text=True)
    print("pipeline in a shell:", out.stdout.strip())


def worker(conn, total, lock, n):
    with lock:
        total.value += n
    conn.send((n, os.getpid() != os.getppid()))


def multiprocessing_fork():
    mp.set_start_method("fork")
    a, b = mp.Pipe()
    total, lock = mp.Value("i", 0), mp.Lock()
    ps = [mp.Process(target=worker, args=(b, total, lock, n)) for n in (1, 2, 3, 4)]
    for p in ps:
        p.start()
    got = sorted(a.recv() for _ in ps)
    for p in ps:
        p.join()
    print("pipe:", got, "value:", total.value, "exit codes:", [p.exitcode for p in ps])
    p = mp.Process(target=os._exit, args=(5,))
    p.start()
    p.join()
    print("os._exit(5):", p.exitcode)
    p = mp.Process(target=signal.pause)
    p.start()
    p.terminate()
    p.join()
    print("terminated:", p.exitcode)


class Spawning(unittest.TestCase):
    def test_output(self):
        self.assertEqual(subprocess.check_output(["printf", "x%sy", "1"]), b"x1y")

    def test_status(self):
        self.assertEqual(subprocess.call(["false"]), 1)

    def test_env(self):
        env = dict(os.environ, BVM_TEST="42")
        out = subprocess.check_output(["sh", "-c", "echo $BVM_TEST"], env=env, text=True)
        self.assertEqual(out.strip(), "42")

    def test_fork_wait(self):
        pid = os.fork()
        if pid == 0:
            os._exit(9)
        self.assertEqual(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), 9)

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(subprocess.call(["true"]), 1)


def unittests():
    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=0).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Spawning))
    print("unittest: ran", result.testsRun, "failures", len(result.failures), "errors", len(result.errors),
          "expected failures", len(result.expectedFailures), "ok", result.wasSuccessful())


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    subprocesses()
    multiprocessing_fork()
    unittests()
