/* rules — one alert rule (kind + parameters) and the ruleset: every enabled
 * rule indexed by symbol, so a tick costs one hash lookup plus the rules that
 * name its symbol and the wildcard ("*") rules, however many other rules exist.
 *
 * A rule arrives as (id, symbol, kind, params JSON, enabled, recipients,
 * owner) from PostgreSQL or from the rules file; ar_rule_parse validates the
 * parameters of its kind (see docs/anomaly-router.1 for the list). */
#ifndef AR_RULES_H
#define AR_RULES_H

#include <stddef.h>
#include <stdint.h>

enum ar_kind {
	AR_VWAP_DEVIATION,
	AR_VOLUME_SPIKE,
	AR_PRICE_LIMIT,
	AR_CHANGE_RATE,
	AR_TARGET_PRICE,
	AR_PREV_DAY_CHANGE,
	AR_THRESHOLD,
	AR_NKINDS
};

enum ar_src { AR_SRC_TICKS = 0, AR_SRC_BARS = 1 };
enum ar_dir { AR_UP = 1, AR_DOWN = 2, AR_BOTH = 3 };
enum ar_op { AR_GE, AR_GT, AR_LE, AR_LT, AR_EQ, AR_NE };

struct ar_rule {
	char id[40];
	char symbol[16]; /* "*" for every symbol */
	char owner[64];
	char field[24];     /* threshold: the field's name; prev_day_change: close|volume */
	char bar_window[8]; /* bars only: "" for any window, else 1m, 5m, ... */
	enum ar_kind kind;
	enum ar_src source;
	int dir;            /* enum ar_dir */
	int op;             /* enum ar_op */
	int field_id;       /* threshold: index in ar_field_names, -1 an indicator */
	int n;              /* volume_spike: history length; vwap_deviation: min trades */
	int limit_pct;      /* price_limit: 30 (60 for a 2x ETF) */
	int64_t window_ms;  /* volume_spike: 0 per trade, else a tumbling window */
	double pct;         /* deviation, change, proximity percentages */
	double k;           /* volume_spike: standard deviations */
	double value;       /* threshold value / target price */
	double base;        /* previous close override (0: learned) */
	double prev_volume; /* prev_day_change volume override (0: learned) */
	char *recipients;   /* comma-separated e-mail addresses and http(s) URLs, or NULL */
};

/* Parses params (JSON object text, may be NULL/empty for {}) into r for the
 * given kind name. Returns 0, or -1 with a one-line reason. recipients_csv
 * and owner may be NULL. */
int ar_rule_parse(struct ar_rule *r, const char *id, const char *symbol, const char *kind,
                  const char *params, const char *recipients_csv, const char *owner,
                  char *err, size_t errsize);
void ar_rule_free(struct ar_rule *r);

const char *ar_kind_name(enum ar_kind k);

/* Fields a threshold resolves at parse time (the evaluation loop switches on
 * the index instead of comparing names): ticks first, then bars. */
enum ar_field {
	AR_F_PRICE, AR_F_QTY, AR_F_CUM_VOLUME, AR_F_CUM_TURNOVER, AR_F_FEED_VWAP,
	AR_F_LATENCY_MS, AR_F_NTICK, /* the tick fields end here */
	AR_F_OPEN = AR_F_NTICK, AR_F_HIGH, AR_F_LOW, AR_F_CLOSE, AR_F_VOLUME,
	AR_F_TURNOVER, AR_F_VWAP, AR_F_CUM_VWAP, AR_F_TRADES, AR_F_N
};
extern const char *const ar_field_names[AR_F_N];
int ar_kind_from_name(const char *name);

/* The set of rules in force, immutable once built. */
struct ar_ruleset;

struct ar_rulelist {
	const struct ar_rule **v;
	uint32_t n;
};

/* Takes ownership of rules[0..n) (an array from malloc); NULL on OOM. */
struct ar_ruleset *ar_ruleset_build(struct ar_rule *rules, size_t n);
void ar_ruleset_free(struct ar_ruleset *rs);
size_t ar_ruleset_size(const struct ar_ruleset *rs);
/* Rules for symbol and source (never the wildcard ones). */
struct ar_rulelist ar_ruleset_for(const struct ar_ruleset *rs, const char *symbol,
                                  enum ar_src src);
/* The wildcard rules for source. */
struct ar_rulelist ar_ruleset_wild(const struct ar_ruleset *rs, enum ar_src src);
const struct ar_rule *ar_ruleset_find(const struct ar_ruleset *rs, const char *id);

uint64_t ar_hash(const char *s);

#endif
