/* watchdog — shared types: what one check of one target found, the
 * settings, and the pure decisions (gating, staleness, lag state, incidents)
 * kept apart from the I/O so they can be unit tested. */
#ifndef WD_H
#define WD_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "tradecal.h"

#define WD_MAX_TARGETS 32
#define WD_MAX_GROUPS 8
#define WD_MAX_PARTS 256 /* partitions judged one by one with --per-partition */

enum wd_kind { WD_TOPIC, WD_ES, WD_MONGO, WD_GROUP };
enum wd_verdict { WD_FRESH, WD_STALE, WD_ERROR };
/* Burrow-like consumer states (OK < REWIND < STALL < STOP by severity). */
enum wd_lag_state { WD_LAG_NA, WD_LAG_OK, WD_LAG_REWIND, WD_LAG_STALL, WD_LAG_STOP };

struct wd_result {
	char target[160];    /* stable name: "topic:ticks", "es:tickpipe-bars-*", ... */
	enum wd_kind kind;
	int checked;         /* 0: could not check; error says why */
	char error[256];
	int64_t newest_ms;   /* newest record's time, -1 when there is none */
	int64_t lag_msgs;    /* consumer groups only, else -1 */
	double lag_s;        /* consumer groups only, else -1 */
	enum wd_lag_state lag_state;
	char last_value[256]; /* what the newest record looked like, for the alert */
	char detail[768];     /* per-partition figures, JSON */
	int nparts;           /* topics: newest record per partition, -1 when empty */
	int64_t part_ms[WD_MAX_PARTS];
	int per_partition;    /* judge each partition that had data today on its own */
	char why[128];        /* filled by wd_judge: what made it stale, when not obvious */
	/* filled by wd_judge */
	enum wd_verdict verdict;
	double age_s;         /* -1 when no record */
	int64_t stale_since_ms;
	int64_t threshold_ms;
};

struct wd_cfg {
	int64_t interval_ms, threshold_ms, lag_window_ms, timeout_ms;
	long allowed_lag;
	long history_days;
	int once, always_on, per_partition;
	int64_t now_fixed_ms; /* --now, or -1 */
	int before_min, after_min; /* collection window around the session */
	struct calendar cal;
	const char *topics[WD_MAX_TARGETS];
	int ntopics;
	const char *groups[WD_MAX_GROUPS];
	int ngroups;
	char *lists; /* storage behind topics/groups */
	const char *es_url, *es_index, *es_field;
	const char *mongo_uri, *mongo_db, *mongo_coll, *mongo_field;
	int mongo_index; /* create the index the sorted find needs */
	const char *pg_dsn, *pg_schema;
	char *thresholds; /* "target=seconds,..." overrides, parsed on use */
};

/* opts.c */
extern const struct conf_opt wd_opts[];
extern const int wd_nopts;
int wd_cfg_load(struct wd_cfg *cfg, const struct conf *c, char *err, size_t errsize);
void wd_cfg_free(struct wd_cfg *cfg);
int64_t wd_now(const struct wd_cfg *cfg);
int64_t wd_threshold_for(const struct wd_cfg *cfg, const char *target);
/* "2026-11-23T09:30:00+09:00", "...Z", fractional seconds allowed; -1 on error. */
int64_t wd_parse_iso8601(const char *s);
/* Epoch ms as "2026-11-23T00:30:00.000Z" */
void wd_format_iso(int64_t ms, char out[32]);

/* gate.c: 1 when checks should run at now; *expect_from_ms is the moment
 * from which fresh data can be expected today (session open), 0 when always on. */
int wd_gate(const struct calendar *cal, int64_t now_ms, int before_min, int after_min,
            int always_on, int64_t *expect_from_ms);

/* judge.c: staleness of one result. */
void wd_judge(struct wd_result *r, int64_t now_ms, int64_t threshold_ms, int64_t expect_from_ms);
const char *wd_verdict_name(enum wd_verdict v);
const char *wd_lag_state_name(enum wd_lag_state s);
enum wd_lag_state wd_lag_state_parse(const char *s);

/* burrow.c: the lag state of one partition of one group. */
struct wd_part_hist {
	int valid;
	int64_t offset;     /* committed offset last seen */
	int64_t max_offset; /* highest committed offset seen since the last catch-up */
	int64_t moved_ms;   /* when the committed offset last changed */
};
enum wd_lag_state wd_lag_step(struct wd_part_hist *h, int64_t committed, int64_t lag,
                              long allowed, int active_members, int64_t now_ms,
                              int64_t window_ms);

/* The history of every (group, topic, partition) seen, kept across checks
 * (and across restarts through the store). */
struct wd_hist_entry {
	char group[96];
	char topic[128];
	int32_t partition;
	struct wd_part_hist h;
};
struct wd_hist {
	struct wd_hist_entry *e;
	size_t n, cap;
};
/* Finds or adds the entry (NULL when out of memory). */
struct wd_hist_entry *wd_hist_get(struct wd_hist *hs, const char *group, const char *topic,
                                  int32_t partition);
void wd_hist_free(struct wd_hist *hs);

/* incident.c: one open/closed incident per target. */
struct wd_incident {
	int open;
	int64_t since_ms;     /* when the target went stale */
	int64_t opened_ms;    /* when the watchdog noticed */
	int64_t newest_ms;    /* the newest record then: recovery needs a newer one */
	int alert_pending;    /* channels (bit mask) the stale notice has yet to reach */
	int recovery_pending; /* the same for the recovery notice */
	char last_value[256];
};
enum wd_action { WD_ACT_NONE, WD_ACT_STALE, WD_ACT_RECOVERED };
/* channels: the bit mask of configured notice channels (at least 1). */
enum wd_action wd_incident_step(struct wd_incident *inc, const struct wd_result *r,
                                int64_t now_ms, int channels);
/* Subject and body of the notice for action. */
void wd_incident_message(enum wd_action a, const struct wd_incident *inc,
                         const struct wd_result *r, int64_t now_ms, char *subject,
                         size_t ssize, char *body, size_t bsize);

#endif
