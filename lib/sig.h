/* sig — SIGTERM/SIGINT/SIGHUP only set flags; loops poll them with a time limit. */
#ifndef TP_SIG_H
#define TP_SIG_H

#include <signal.h>

extern volatile sig_atomic_t sig_stop;   /* SIGTERM, SIGINT: drain and exit */
extern volatile sig_atomic_t sig_reload; /* SIGHUP: reload what can be reloaded */

/* Installs the handlers (and ignores SIGPIPE). */
void sig_install(void);

#endif
