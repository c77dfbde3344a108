/* notify — e-mail over SMTP (libcurl) and JSON webhooks, for alerts.
 *
 * Blocking calls, one curl easy handle per call: run them from a notifier
 * thread, never from an evaluation loop. Thread-safe (no shared state).
 *
 * Return convention for the senders:
 *    0             delivered (SMTP server accepted the message / HTTP 2xx)
 *    NOTIFY_RETRY  worth retrying with backoff: no connection, timeout,
 *                  SMTP 4xx, HTTP 429 or 5xx
 *    NOTIFY_FAIL   permanent: bad address, SMTP 5xx, HTTP 4xx, bad arguments
 * err always receives a one-line reason on failure (never a password).
 *
 * Example:
 *   struct notify_smtp s = {.url = "smtp://127.0.0.1:2525", .from = "tickpipe@localhost"};
 *   char err[256];
 *   if (notify_email(&s, "ops@example.com,desk@example.com", "subject", "body",
 *                    err, sizeof err) != 0) log_warn("mail_failed", "error=%s", err);
 *   char json[1024];
 *   if (notify_slack_payload("title", "text", json, sizeof json))
 *       notify_webhook("https://hooks.slack.com/services/...", json, 5000, err, sizeof err);
 */
#ifndef TP_NOTIFY_H
#define TP_NOTIFY_H

#include <stddef.h>

#define NOTIFY_RETRY 1
#define NOTIFY_FAIL (-1)

enum notify_tls {
	NOTIFY_TLS_NONE = 0,     /* plain SMTP (smtps:// URLs are TLS anyway) */
	NOTIFY_TLS_TRY = 1,      /* STARTTLS when the server offers it */
	NOTIFY_TLS_REQUIRED = 2, /* STARTTLS or fail */
};

struct notify_smtp {
	const char *url;      /* smtp://host:port or smtps://host:port */
	const char *user;     /* NULL: no AUTH */
	const char *password;
	const char *from;     /* envelope and header sender, a bare address */
	enum notify_tls tls;
	const char *ca_file;  /* NULL: the system store */
	int insecure;         /* skip certificate checks (tests only) */
	long timeout_ms;      /* whole transaction; 0: 15 s */
};

/* Sends a text/plain UTF-8 message to every address in to_csv (comma or
 * semicolon separated, spaces ignored). CR/LF in the subject are replaced so
 * no header can be injected. */
int notify_email(const struct notify_smtp *cfg, const char *to_csv, const char *subject,
                 const char *body, char *err, size_t errsize);

/* POSTs json (Content-Type: application/json) to url; timeout_ms 0: 10 s. */
int notify_webhook(const char *url, const char *json, long timeout_ms, char *err,
                   size_t errsize);

/* Writes a Slack-compatible payload {"text":"*title*\ntext"} into buf
 * (Mattermost, Rocket.Chat, Teams' Slack adapter and most receivers accept it).
 * Returns the length, or 0 when buf is too small. */
size_t notify_slack_payload(const char *title, const char *text, char *buf, size_t size);

/* Builds the RFC 5322 message notify_email sends (headers, blank line, body,
 * CRLF line ends) into a malloc'd string; exposed for tests. NULL on OOM. */
char *notify_build_message(const char *from, const char *to_csv, const char *subject,
                           const char *body);

/* Splits to_csv into at most max trimmed addresses copied into out (each up
 * to 255 bytes). Returns the count; addresses containing CR, LF, '<' or '>'
 * are skipped. */
int notify_split_addresses(const char *to_csv, char out[][256], int max);

#endif
