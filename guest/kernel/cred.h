/* cred.h: the process's user and group ids (real, effective, saved, filesystem), as the host has
 * them: every change is made by the monitor on itself (CRED hostcall). */
#ifndef CRED_H
#define CRED_H

#include "bvm_abi.h"

/* The ids now; set from the boot info, then from each change. */
extern struct bvm_cred cred;
void cred_init(void);

#endif
