/* alert — incident notices over lib/notify's channels. */
#ifndef WD_ALERT_H
#define WD_ALERT_H

struct conf;

enum { WD_CH_MAIL = 1, WD_CH_WEBHOOK = 2, WD_CH_LOG = 4 };

/* The configured channels as a mask; WD_CH_LOG alone when none is. */
int wd_alert_channels(const struct conf *c);
/* Sends to the channels in pending; returns the mask of those done with. */
int wd_alert_send(const struct conf *c, int pending, const char *subject, const char *body,
                  long timeout_ms);

#endif
