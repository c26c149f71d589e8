#!/bin/bash
# fifo.sh: named pipes and mknod: mkfifo and mknod p make FIFOs (the umask applies), a writer and a
# reader meet through one, an open waiting for its other end is cut short by a signal whose handler
# raises, O_NONBLOCK opens (ENXIO for a writer with no reader), and mknod's errors.
set -e
mkfifo f && stat -c '%F %a' f
mknod g p && stat -c '%F %a' g
(umask 077 && mkfifo h && stat -c '%F %a' h)
(echo through the fifo > f) & cat f; wait
for i in 1 2 3; do echo "line $i"; done > g & while read -r l; do echo "got $l"; done < g; wait
python3 - <<'PY'
import errno, os, signal, stat

def alarm(*a):
    raise TimeoutError
signal.signal(signal.SIGALRM, alarm)
signal.setitimer(signal.ITIMER_REAL, 0.3)
try:
    os.open("f", os.O_RDONLY)
    print("open returned")
except TimeoutError:
    print("the waiting open was interrupted")
fd = os.open("f", os.O_RDONLY | os.O_NONBLOCK)
print("nonblocking reader opened, reads", os.read(fd, 10))
w = os.open("f", os.O_WRONLY | os.O_NONBLOCK)
os.write(w, b"abc")
print("reads", os.read(fd, 10))
os.close(w)
os.close(fd)
try:
    os.open("g", os.O_WRONLY | os.O_NONBLOCK)
except OSError as e:
    print("writer without reader:", errno.errorcode[e.errno])
for name, mode, dev in [("f", stat.S_IFIFO | 0o600, 0), ("d", stat.S_IFDIR | 0o700, 0),
                        ("q", 0o170000 | 0o600, 0), ("no/x", stat.S_IFIFO | 0o600, 0),
                        ("r", stat.S_IFREG | 0o640, 0), ("s", stat.S_IFSOCK | 0o600, 0),
                        ("z", 0o644, 0)]:
    try:
        os.mknod(name, mode, dev)
        st = os.lstat(name)
        print(name, "made:", stat.filemode(st.st_mode), st.st_size)
    except OSError as e:
        print(name, "refused:", errno.errorcode[e.errno])
os.symlink("dangling", "link")
try:
    os.mknod("link", stat.S_IFIFO | 0o600)
except OSError as e:
    print("over a symlink:", errno.errorcode[e.errno])
print("the dangling link's target exists:", os.path.lexists("dangling"))
PY
rm -f f g h r s z link
