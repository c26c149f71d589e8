"""py_unix_names.py DIR: AF_UNIX names as the program gave them (absolute and relative binds, stream
and datagram): getsockname of the listener and of an accepted socket, getpeername of the client,
one line each; run in DIR. Under --sandbox --rw DIR the monitor binds from the checked directory
and must still show these names (run_tree.sh sandbox-unix-names compares with native)."""
import os, socket, sys
d = sys.argv[1]
for name in (os.path.join(d, "s1"), "s2"):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(name)
    srv.listen(1)
    cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cli.connect(name)
    acc, peer = srv.accept()
    print(repr(srv.getsockname()), repr(acc.getsockname()), repr(cli.getpeername()), repr(cli.getsockname()), repr(peer))
    os.unlink(name)
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dg.bind(os.path.join(d, "s3"))
print(repr(dg.getsockname()))
os.unlink(os.path.join(d, "s3"))
