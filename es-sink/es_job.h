/* es_job — a thread that runs one function on demand: post starts a run,
 * ready says whether it finished, wait waits for it. es-sink's worker (a
 * batch's bulk round, overlapping the next batch's consumption) and each
 * extra bulk lane (a slice of the round) are one. When the thread could not
 * be started, post runs the function on the caller's thread instead. */
#ifndef ES_JOB_H
#define ES_JOB_H

#include <pthread.h>

struct es_job {
	void (*fn)(void *arg);
	void *arg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, posted, done, quit;
};

/* 0, or -1 when no thread could be started (the job then runs inline). */
int es_job_start(struct es_job *j, void (*fn)(void *arg), void *arg);
/* Starts one run of fn(arg); the previous run must have been waited for. */
void es_job_post(struct es_job *j);
/* 1 when the posted run has finished (no wait). */
int es_job_ready(struct es_job *j);
/* Waits for the posted run to finish; what fn wrote is then visible. */
void es_job_wait(struct es_job *j);
/* Ends the thread after the run in progress, if any. */
void es_job_stop(struct es_job *j);

#endif
