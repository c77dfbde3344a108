/* setup — builds the collector from its configuration: producer, archive,
 * KIS sessions (one per appkey, symbols spread over them), the Finnhub
 * session and quote poller. */
#ifndef COL_SETUP_H
#define COL_SETUP_H

#include "collector.h"
#include "hours.h"

/* 0, or an exit code (EXIT_USAGE for bad settings) with err. archive=0
 * leaves the raw archive off (replay reads it instead). */
int col_setup(struct col_app *app, struct conf *c, int archive, char *err, size_t errsize);
/* Number of KIS and Finnhub sessions created. */
int col_setup_sessions(struct col_app *app, char *err, size_t errsize);
void col_teardown(struct col_app *app);

#endif
