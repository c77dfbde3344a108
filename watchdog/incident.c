/* incident — alert once when a target goes stale and once when it recovers,
 * not every interval. A notice that could not be delivered stays pending and
 * is retried at the next check, on the channels it has not reached yet. "Could not check" neither opens nor closes
 * an incident. */
#include "wd.h"

#include <stdio.h>
#include <string.h>

enum wd_action wd_incident_step(struct wd_incident *inc, const struct wd_result *r,
                                int64_t now_ms, int channels)
{
	if (r->verdict == WD_ERROR)
		return WD_ACT_NONE;
	if (r->verdict == WD_STALE) {
		snprintf(inc->last_value, sizeof inc->last_value, "%s", r->last_value);
		if (!inc->open) {
			inc->open = 1;
			inc->since_ms = r->stale_since_ms >= 0 ? r->stale_since_ms : now_ms;
			inc->opened_ms = now_ms;
			inc->newest_ms = r->newest_ms;
			inc->alert_pending = channels;
			inc->recovery_pending = 0;
		}
		return inc->alert_pending ? WD_ACT_STALE : WD_ACT_NONE;
	}
	/* Fresh only by the morning grace (nothing expected before the open)
	 * is not a recovery: yesterday's incident stays open until new data
	 * arrives. A consumer group recovers by its state and lag alone. */
	if (inc->open && r->kind != WD_GROUP && r->newest_ms <= inc->newest_ms)
		return WD_ACT_NONE;
	if (inc->open) {
		inc->open = 0;
		/* A stale notice that never went out need not go out now; the
		 * recovery notice says how long it lasted. */
		inc->alert_pending = 0;
		inc->recovery_pending = channels;
	}
	return inc->recovery_pending ? WD_ACT_RECOVERED : WD_ACT_NONE;
}

static void fmt_dur(double s, char *out, size_t size)
{
	if (s < 0)
		snprintf(out, size, "unknown");
	else if (s < 120)
		snprintf(out, size, "%.0f s", s);
	else if (s < 7200)
		snprintf(out, size, "%.1f min", s / 60);
	else
		snprintf(out, size, "%.1f h", s / 3600);
}

void wd_incident_message(enum wd_action a, const struct wd_incident *inc,
                         const struct wd_result *r, int64_t now_ms, char *subject,
                         size_t ssize, char *body, size_t bsize)
{
	char newest[32], since[32], age[32], thr[32], dur[32], lag[96] = "";
	wd_format_iso(r->newest_ms, newest);
	wd_format_iso(inc->since_ms, since);
	fmt_dur(r->age_s, age, sizeof age);
	fmt_dur((double)r->threshold_ms / 1000.0, thr, sizeof thr);
	fmt_dur((double)(now_ms - inc->since_ms) / 1000.0, dur, sizeof dur);
	if (r->kind == WD_GROUP)
		snprintf(lag, sizeof lag, "\nconsumer state: %s, lag %lld messages, %.1f s",
		         wd_lag_state_name(r->lag_state), (long long)r->lag_msgs, r->lag_s);
	if (a == WD_ACT_STALE) {
		if (r->why[0])
			snprintf(subject, ssize, "[tickpipe] STALE %s: %s", r->target, r->why);
		else if (r->kind == WD_GROUP)
			snprintf(subject, ssize, "[tickpipe] STALE %s: %s, lag %lld messages, %.0f s",
			         r->target, wd_lag_state_name(r->lag_state), (long long)r->lag_msgs,
			         r->lag_s);
		else if (r->newest_ms < 0)
			snprintf(subject, ssize, "[tickpipe] STALE %s: no record at all", r->target);
		else
			snprintf(subject, ssize, "[tickpipe] STALE %s: newest record %s old", r->target,
			         age);
		snprintf(body, bsize,
		         "target: %s\nstate: STALE (threshold %s)%s%s\nnewest record: %s (%s old)\n"
		         "stale since: %s\nlast value seen: %s%s\n",
		         r->target, thr, r->why[0] ? ", " : "", r->why, newest, age, since,
		         inc->last_value[0] ? inc->last_value : "none", lag);
	} else {
		snprintf(subject, ssize, "[tickpipe] RECOVERED %s after %s", r->target, dur);
		snprintf(body, bsize,
		         "target: %s\nstate: RECOVERED after %s\nstale since: %s\n"
		         "newest record: %s (%s old)\nlast value seen: %s%s\n",
		         r->target, dur, since, newest, age, r->last_value[0] ? r->last_value : "none",
		         lag);
	}
}
