/* bvm_linux_tty.h: Terminals: termios, winsize and the ioctl requests (which are forwarded to the host, with their argument). */
#ifndef BVM_LINUX_TTY_H
#define BVM_LINUX_TTY_H

#include <stddef.h>
#include <stdint.h>

struct linux_winsize {
    uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};
_Static_assert(sizeof(struct linux_winsize) == 8, "winsize");

/* The kernel's struct termios (TCGETS), not glibc's larger one. */
struct linux_termios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[19];
};
_Static_assert(sizeof(struct linux_termios) == 36, "termios");

/* ioctl requests forwarded to the host (the allow-list, linux_ioctl_arg below)... */
#define LINUX_TCGETS 0x5401u
#define LINUX_TCSETS 0x5402u
#define LINUX_TCSETSW 0x5403u
#define LINUX_TCSETSF 0x5404u
#define LINUX_TCSBRK 0x5409u
#define LINUX_TCXONC 0x540au
#define LINUX_TCFLSH 0x540bu
#define LINUX_TIOCSCTTY 0x540eu
#define LINUX_TIOCGPGRP 0x540fu
#define LINUX_TIOCSPGRP 0x5410u
#define LINUX_TIOCOUTQ 0x5411u
#define LINUX_TIOCGWINSZ 0x5413u
#define LINUX_TIOCSWINSZ 0x5414u
#define LINUX_FIONREAD 0x541bu
#define LINUX_TIOCNOTTY 0x5422u
#define LINUX_TIOCGSID 0x5429u
#define LINUX_TIOCGPTN 0x80045430u
#define LINUX_TIOCSPTLCK 0x40045431u
/* ... and the ones the kernel answers itself: descriptor flags */
#define LINUX_FIONBIO 0x5421u
#define LINUX_FIONCLEX 0x5450u
#define LINUX_FIOCLEX 0x5451u

/* What a forwarded ioctl's argument is: a buffer of *size bytes the call reads (IN) or fills (OUT),
 * or a plain value (VALUE); NOT_FORWARDED for a request off the allow-list. */
enum linux_ioctl_arg { LINUX_IOCTL_NOT_FORWARDED, LINUX_IOCTL_IN, LINUX_IOCTL_OUT, LINUX_IOCTL_VALUE };

static inline enum linux_ioctl_arg linux_ioctl_arg(uint32_t cmd, uint32_t *size)
{
    *size = sizeof(int32_t);
    switch (cmd) {
    case LINUX_TCGETS: *size = sizeof(struct linux_termios); return LINUX_IOCTL_OUT;
    case LINUX_TCSETS:
    case LINUX_TCSETSW:
    case LINUX_TCSETSF: *size = sizeof(struct linux_termios); return LINUX_IOCTL_IN;
    case LINUX_TIOCGWINSZ: *size = sizeof(struct linux_winsize); return LINUX_IOCTL_OUT;
    case LINUX_TIOCSWINSZ: *size = sizeof(struct linux_winsize); return LINUX_IOCTL_IN;
    case LINUX_TIOCGPGRP:
    case LINUX_TIOCOUTQ:
    case LINUX_FIONREAD:
    case LINUX_TIOCGSID:
    case LINUX_TIOCGPTN: return LINUX_IOCTL_OUT;
    case LINUX_TIOCSPGRP:
    case LINUX_TIOCSPTLCK: return LINUX_IOCTL_IN;
    case LINUX_TCSBRK:
    case LINUX_TCXONC:
    case LINUX_TCFLSH:
    case LINUX_TIOCSCTTY:
    case LINUX_TIOCNOTTY: *size = 0; return LINUX_IOCTL_VALUE;
    default: *size = 0; return LINUX_IOCTL_NOT_FORWARDED;
    }
}

#endif
