/* bvm_linux.h: Linux x86-64 user ABI structs and constants, byte-exact, as the guest program sees them. */
#ifndef BVM_LINUX_H
#define BVM_LINUX_H

/* Redeclared here so that neither the host's nor any libc's layout leaks into what
 * the guest sees. Used by the shim kernel and by the monitor's hostcall handlers.
 * One header per concept; this one includes them all. */

#include "bvm_linux_errno.h"
#include "bvm_linux_file.h"
#include "bvm_linux_ipc.h"
#include "bvm_linux_mm.h"
#include "bvm_linux_proc.h"
#include "bvm_linux_signal.h"
#include "bvm_linux_socket.h"
#include "bvm_linux_time.h"
#include "bvm_linux_tty.h"

#endif
