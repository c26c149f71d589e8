# threads.gdb: a breakpoint hit in a thread names it; the others are listed and stand meanwhile
# (only the "hit" lines, the printed values and the thread count are compared: gdb names native
# threads through libthread_db, remote ones by id)
break worker_mark
continue
print id
print $_thread
print $_gthread
info threads
thread 1
print worker_hits
continue
print id
print worker_hits
delete
continue
