/* es_job — a function run on demand by a thread of its own. See es_job.h. */
#include "es_job.h"

#include <string.h>

static void *job_main(void *opaque)
{
	struct es_job *j = opaque;
	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (!j->posted && !j->quit)
			pthread_cond_wait(&j->cv, &j->mu);
		if (j->quit)
			break;
		pthread_mutex_unlock(&j->mu);
		j->fn(j->arg);
		pthread_mutex_lock(&j->mu);
		j->posted = 0;
		j->done = 1;
		pthread_cond_broadcast(&j->cv);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

int es_job_start(struct es_job *j, void (*fn)(void *arg), void *arg)
{
	memset(j, 0, sizeof *j);
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	j->started = pthread_create(&j->thread, NULL, job_main, j) == 0;
	return j->started ? 0 : -1;
}

void es_job_post(struct es_job *j)
{
	if (!j->started) {
		j->fn(j->arg);
		j->done = 1;
		return;
	}
	pthread_mutex_lock(&j->mu);
	j->done = 0;
	j->posted = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

int es_job_ready(struct es_job *j)
{
	if (!j->started)
		return j->done;
	pthread_mutex_lock(&j->mu);
	int done = j->done;
	pthread_mutex_unlock(&j->mu);
	return done;
}

void es_job_wait(struct es_job *j)
{
	if (!j->started) {
		j->done = 0;
		return;
	}
	pthread_mutex_lock(&j->mu);
	while (!j->done)
		pthread_cond_wait(&j->cv, &j->mu);
	j->done = 0;
	pthread_mutex_unlock(&j->mu);
}

void es_job_stop(struct es_job *j)
{
	if (!j->fn)
		return; /* never started */
	if (j->started) {
		pthread_mutex_lock(&j->mu);
		j->quit = 1;
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
		pthread_join(j->thread, NULL);
	}
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	j->fn = NULL;
	j->started = 0;
}
