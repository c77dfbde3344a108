/* alert — delivers an incident notice by e-mail and/or webhook (lib/notify)
 * and says which channels took it, so a failed one is retried alone. */
#include "alert.h"

#include "conf.h"
#include "log.h"
#include "notify.h"

#include <stdio.h>
#include <string.h>

static const char *nonempty(const struct conf *c, const char *name)
{
	const char *v = conf_str(c, name);
	return v && *v ? v : NULL;
}

int wd_alert_channels(const struct conf *c)
{
	int ch = 0;
	if (nonempty(c, "smtp-url") && nonempty(c, "mail-to"))
		ch |= WD_CH_MAIL;
	if (nonempty(c, "webhook-url"))
		ch |= WD_CH_WEBHOOK;
	return ch ? ch : WD_CH_LOG;
}

/* One channel; 1 when it is done with (delivered or permanently refused). */
static int send_one(const struct conf *c, int ch, const char *subject, const char *body,
                    long timeout_ms)
{
	char err[256] = "";
	int rc = 0;
	if (ch == WD_CH_MAIL) {
		struct notify_smtp s = {.url = conf_str(c, "smtp-url"), .user = nonempty(c, "smtp-user"),
		                        .password = nonempty(c, "smtp-password"),
		                        .from = conf_str(c, "mail-from"), .tls = NOTIFY_TLS_TRY,
		                        .timeout_ms = timeout_ms};
		rc = notify_email(&s, conf_str(c, "mail-to"), subject, body, err, sizeof err);
	} else if (ch == WD_CH_WEBHOOK) {
		char json[4096];
		if (!notify_slack_payload(subject, body, json, sizeof json))
			snprintf(json, sizeof json, "{\"text\":\"watchdog notice too long\"}");
		rc = notify_webhook(conf_str(c, "webhook-url"), json, timeout_ms, err, sizeof err);
	}
	const char *name = ch == WD_CH_MAIL ? "mail" : ch == WD_CH_WEBHOOK ? "webhook" : "log";
	if (rc == 0)
		return 1;
	char q[300];
	log_write(rc == NOTIFY_RETRY ? LOG_WARN : LOG_ERROR, "alert_failed",
	          "channel=%s retry=%s error=%s", name, rc == NOTIFY_RETRY ? "next_check" : "no",
	          log_quote(err, q, sizeof q));
	return rc == NOTIFY_FAIL; /* permanent: retrying would fail the same way */
}

int wd_alert_send(const struct conf *c, int pending, const char *subject, const char *body,
                  long timeout_ms)
{
	char q[512];
	log_warn("alert", "subject=%s", log_quote(subject, q, sizeof q));
	int done = 0;
	for (int ch = WD_CH_MAIL; ch <= WD_CH_LOG; ch <<= 1)
		if ((pending & ch) && send_one(c, ch, subject, body, timeout_ms))
			done |= ch;
	return done;
}
