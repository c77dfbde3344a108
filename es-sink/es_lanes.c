/* es_lanes — parallel bulk requests of one round. See es_lanes.h. */
#include "es_lanes.h"

#include <string.h>

static void lane_job(void *arg)
{
	struct es_lane *l = arg;
	l->set->fn(l);
}

void es_lanes_init(struct es_lanes *ls, int n, struct http_client **http, es_lane_fn fn,
                   void *owner)
{
	memset(ls, 0, sizeof *ls);
	ls->fn = fn;
	n = n < 1 ? 1 : n > ES_MAX_LANES ? ES_MAX_LANES : n;
	for (int i = 0; i < n; i++) {
		struct es_lane *l = &ls->lane[i];
		l->owner = owner;
		l->set = ls;
		l->http = http[i];
		if (i > 0 && es_job_start(&l->job, lane_job, l)) {
			es_job_stop(&l->job);
			break;
		}
		ls->n = i + 1;
	}
}

void es_lanes_run(struct es_lanes *ls, int use)
{
	use = use < 1 ? 1 : use > ls->n ? ls->n : use;
	for (int i = 1; i < use; i++)
		es_job_post(&ls->lane[i].job);
	ls->fn(&ls->lane[0]);
	for (int i = 1; i < use; i++)
		es_job_wait(&ls->lane[i].job);
}

void es_lanes_free(struct es_lanes *ls)
{
	for (int i = 0; i < ES_MAX_LANES; i++) {
		es_job_stop(&ls->lane[i].job);
		es_buf_free(&ls->lane[i].body);
	}
	memset(ls, 0, sizeof *ls);
}
