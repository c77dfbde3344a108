/* shard — KIS credentials and the spreading of symbols over them.
 * KIS allows one session per appkey and 41 registrations per appkey, so N
 * symbols need ceil(N / 41) appkeys; with fewer the collector refuses to
 * start rather than lose symbols to OPSP0008 at run time. */
#ifndef COL_SHARD_H
#define COL_SHARD_H

#include "collector.h"

#include <stddef.h>

/* Parses "a,b,c" (spaces, newlines and '#' comments allowed) into *out;
 * returns the count or -1 with err (bad or duplicate symbol). */
int col_parse_symbols(const char *text, char (**out)[16], char *err, size_t errsize);
/* Parses credential lines "appkey:secret" (# comments, blank lines). Each
 * secret is registered with the log filter. Returns the count or -1. */
int col_parse_creds(const char *text, struct col_cred **out, char *err, size_t errsize);
void col_free_creds(struct col_cred *c, int n);
/* Keeps symbols i with i % count == index (one instance of several). */
int col_shard_filter(char (*sym)[16], int n, int index, int count);
/* How many symbols session k of nsess gets (an even spread, in order).
 * -1 with err when a session would need more than max_subs registrations. */
int col_shard_plan(int nsym, int nsess, int max_subs, int *per_sess, char *err, size_t errsize);

#endif
