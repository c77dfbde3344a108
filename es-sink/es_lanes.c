/* es_lanes — parallel bulk requests of one round. See es_lanes.h. */
#include "es_lanes.h"

#include <string.h>

static void *lane_main(void *opaque)
{
	struct es_lane *l = opaque;
	struct es_lanes *ls = l->set;
	pthread_mutex_lock(&ls->mu);
	for (;;) {
		while (!l->work && !ls->quit)
			pthread_cond_wait(&ls->cv, &ls->mu);
		if (ls->quit)
			break;
		pthread_mutex_unlock(&ls->mu);
		ls->fn(l);
		pthread_mutex_lock(&ls->mu);
		l->work = 0;
		pthread_cond_broadcast(&ls->cv);
	}
	pthread_mutex_unlock(&ls->mu);
	return NULL;
}

void es_lanes_init(struct es_lanes *ls, int n, struct http_client **http, es_lane_fn fn,
                   void *owner)
{
	memset(ls, 0, sizeof *ls);
	ls->fn = fn;
	pthread_mutex_init(&ls->mu, NULL);
	pthread_cond_init(&ls->cv, NULL);
	n = n < 1 ? 1 : n > ES_MAX_LANES ? ES_MAX_LANES : n;
	for (int i = 0; i < n; i++) {
		struct es_lane *l = &ls->lane[i];
		l->owner = owner;
		l->set = ls;
		l->http = http[i];
		if (i > 0 && !(l->started = pthread_create(&l->thread, NULL, lane_main, l) == 0))
			break;
		ls->n = i + 1;
	}
}

void es_lanes_run(struct es_lanes *ls, int use)
{
	use = use < 1 ? 1 : use > ls->n ? ls->n : use;
	pthread_mutex_lock(&ls->mu);
	for (int i = 1; i < use; i++)
		ls->lane[i].work = 1;
	pthread_cond_broadcast(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
	ls->fn(&ls->lane[0]);
	pthread_mutex_lock(&ls->mu);
	for (int i = 1; i < use; i++)
		while (ls->lane[i].work)
			pthread_cond_wait(&ls->cv, &ls->mu);
	pthread_mutex_unlock(&ls->mu);
}

void es_lanes_free(struct es_lanes *ls)
{
	if (!ls->fn)
		return; /* never initialised */
	pthread_mutex_lock(&ls->mu);
	ls->quit = 1;
	pthread_cond_broadcast(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
	for (int i = 0; i < ES_MAX_LANES; i++) {
		if (ls->lane[i].started)
			pthread_join(ls->lane[i].thread, NULL);
		es_buf_free(&ls->lane[i].body);
	}
	pthread_mutex_destroy(&ls->mu);
	pthread_cond_destroy(&ls->cv);
	memset(ls, 0, sizeof *ls);
}
