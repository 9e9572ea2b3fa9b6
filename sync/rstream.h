/*
 * rstream.h - Telegram updates through Redis (the server profile's scale-out):
 * one poller, elected with a lock, adds each update to a stream; workers
 * read it with a consumer group, acknowledge what they finished, take over
 * a dead worker's entries after an idle time, and move an entry that failed
 * too often to a dead-letter stream.
 *
 * Keys (in the URL's database): "nestor:tg:devices" the devices whose
 * workers ever joined, "nestor:tg:poller" the lock (value: the
 * holder's token, "DEVICE/HOST:PID:RANDOM", DEVICE its store's device id,
 * or "HOST:PID:RANDOM" without one), "nestor:tg:updates:DEVICE" the
 * stream of each device (group "workers"), "nestor:tg:dead" the dead
 * letters, "nestor:tg:offset" the next getUpdates offset,
 * "nestor:tg:numbering" the updates' numbering (rstream_renumber()),
 * "nestor:tg:last:CHAT:DEVICE" the last update of each chat on each device
 * (for 6 days: RSTREAM_LAST_TTL) and "nestor:tg:lastn:CHAT:DEVICE" its
 * numbering's epoch (once numbered anew; written with it, for as long, and
 * deleted when written with no numbering), "nestor:tg:home:CHAT" the device
 * a chat was linked from, "nestor:tg:code:CODE" the device that made a link code (for
 * as long as the code is valid; "nestor:tg:gcode:CODE" for a group's code),
 * "nestor:tg:sender:DEVICE" the lock of the
 * process that sends a device's answers where no relay polls.
 *
 * A device is a store (one SQLite file: replica_device()); the processes
 * that share it are its workers.  Each update goes to the stream of one
 * device, chosen as it is added: a button's press, the device that sent
 * the button if workers of it ever joined (else as any update); for
 * "/start CODE" from a chat, the device that made CODE
 * (which becomes the chat's home once its store linked the chat with
 * CODE: rstream_home()); else its chat's home; else the
 * poller's own device.  So an update is handled where its chat's data
 * is, by that device's workers only: exactly once needs nothing more than
 * that device's store (an update's effects and its "done" commit there
 * together).
 *
 * Guarantees:
 *  - The lock is taken with SET NX PX, renewed and released by a script
 *    that compares the token first: a lock another process took over is
 *    never renewed nor deleted.
 *  - rstream_add() adds an update only while the caller still holds the
 *    lock, and in the same script moves the offset past it and records it
 *    as its chat's last: an update is added once, and each entry names the
 *    update of the same chat before it ("prev", 0: none), so a worker can
 *    keep a chat's order (it runs an update only once prev is done).  A
 *    chat silent for 6 days has no prev any more: so the store may forget
 *    the updates it did after a while (tgstore_seen_prune), and Telegram
 *    may number the next update at random after a week without any; a
 *    chat's last update, polled within a day of its date (Telegram keeps
 *    an update 24 hours), lapses before then, so a prev is always dated
 *    less than a week before its entry's update (TGSTORE_PREV_NEW).
 *  - Everything read back from Redis is outside input: rstream_entry_parse()
 *    checks the id's shape, the numbers, UTF-8 and the size (RSTREAM_MAX).
 */
#ifndef NESTOR_RSTREAM_H
#define NESTOR_RSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "redis.h"

#define RSTREAM_MAX	    (64 * 1024) /* bytes of an update's JSON */
#define RSTREAM_KEY_LOCK    "nestor:tg:poller"
#define RSTREAM_KEY_STREAM  "nestor:tg:updates" /* and ":" and the device */
#define RSTREAM_KEY_DEAD    "nestor:tg:dead"
#define RSTREAM_KEY_OFFSET  "nestor:tg:offset"
#define RSTREAM_KEY_LAST    "nestor:tg:last:"	 /* and the chat id */
#define RSTREAM_KEY_LASTN   "nestor:tg:lastn:"	 /* and the chat id: its epoch */
#define RSTREAM_KEY_HOME    "nestor:tg:home:"	 /* and the chat id */
#define RSTREAM_KEY_CODE    "nestor:tg:code:"	 /* and the link code */
#define RSTREAM_KEY_GCODE   "nestor:tg:gcode:"	 /* and a group's link code */
#define RSTREAM_KEY_SENDER  "nestor:tg:sender:"	 /* and the device */
#define RSTREAM_KEY_DEVICES "nestor:tg:devices"	 /* the devices with workers */
#define RSTREAM_DEVICE_MAX  32			 /* characters of a device id */
#define RSTREAM_CODE_MAX    32			 /* characters of a link code */
#define RSTREAM_LAST_TTL    (6LL * 86400 * 1000) /* ms a chat's last update is kept */
#define RSTREAM_GROUP	    "workers"
#define RSTREAM_MOVE_MAX    "100000" /* pending entries an adoption moves, at most */

/* The updates' numbering, "EPOCH:FROM" (rstream_renumber()). */
#define RSTREAM_KEY_EPOCH "nestor:tg:numbering"

struct rstream {
	struct rds *r;
	char stream[64]; /* the stream read, claimed, acknowledged: the device's */
	char device[RSTREAM_DEVICE_MAX + 1]; /* its device ("": none) */
	char token[128];		     /* this process's lock token */
	char cursor[48];		     /* where the next take-over looks ("": the start) */
};

/* Connect to url with password (NULL: none; redis.h) and make a token for
 * the lock. */
int rstream_open(struct rstream *rs, const char *url, const char *password, long timeout_ms,
		 struct err *e);
void rstream_close(struct rstream *rs);
/* Work on the stream of device (a store's device id: 1 to
 * RSTREAM_DEVICE_MAX of [0-9a-z]); ERR_USAGE otherwise. */
int rstream_device(struct rstream *rs, const char *device, struct err *e);
/* Name device (as above; else nothing changes) in the lock token, once,
 * after rstream_open() and before rstream_lock(). */
void rstream_set_device(struct rstream *rs, const char *device);

/* Take the lock for ttl_ms, or renew it when this process holds it:
 * *held says whether it holds it now. */
int rstream_lock(struct rstream *rs, long ttl_ms, bool *held, struct err *e);
/* Release the lock if this process holds it. */
int rstream_unlock(struct rstream *rs, struct err *e);
/* The same for the lock of device's sender ("nestor:tg:sender:DEVICE"):
 * on a device where no relay polls, one process sends the store's
 * answers, so that a worker killed while another sends repeats none. */
int rstream_sender_lock(struct rstream *rs, const char *device, long ttl_ms, bool *held,
			struct err *e);
int rstream_sender_unlock(struct rstream *rs, const char *device, struct err *e);
/* The lock's holder (newly allocated; NULL: nobody). */
int rstream_holder(struct rstream *rs, char **holder, struct err *e);
/* The device of the lock's holder into dev (len bytes): "" when nobody
 * holds it, or its holder names no device (a relay of an older version)
 * or one too long for dev. */
int rstream_holder_device(struct rstream *rs, char *dev, size_t len, struct err *e);

/* The next getUpdates offset (0: none yet). */
int rstream_offset(struct rstream *rs, long long *offset, struct err *e);
/* The update to add: its id, its chat (0: none), the link code of a
 * "/start CODE" (NULL: none), the device it must go to (a reminder's
 * button: the store that sent it; NULL: none, or not a device id), its
 * JSON body. */
struct rstream_update {
	long long update_id, chat_id;
	const char *code;
	const char *to;
	const char *body;
};

/* Add u to the stream of its device (above; device: the poller's own),
 * while the lock is held and the offset is still *offset (the one the
 * updates were asked with, moved past each update added): *added 1 added
 * (*offset is update_id + 1 now), 0 the offset moved meanwhile (another
 * poller added these updates already: nothing added), -1 the lock is lost
 * (nothing added).  The previous update an entry names is its chat's last
 * on the same device: a device can only see its own updates done, and a
 * chat's order is kept on each device. */
int rstream_add(struct rstream *rs, long long *offset, const struct rstream_update *u,
		const char *device, int *added, struct err *e);

/* The stream all updates went to before devices had streams
 * (RSTREAM_KEY_STREAM itself): what no worker acknowledged there (taken
 * and not finished, then never taken) moves to device's stream, in that
 * order, and the old stream is deleted (*moved: how many; one script).
 * An update moved that was done already is found so by the device's
 * store (every worker shared that one then) and only acknowledged. */
int rstream_adopt(struct rstream *rs, const char *device, long long *moved, struct err *e);
/* Telegram numbered the updates anew, from from (tg_renumbered_from()), in
 * a batch asked with offset: while the caller holds the lock and the
 * offset is still that one, a new epoch of the numbering begins (*epoch;
 * nothing changed when -1: the lock is lost, 0: the offset moved, another
 * poller added the batch while this one polled).  Every entry added
 * from then on carries it (rstream_entry's numbering and numbered_from):
 * a device's store forgets the updates it did of the old numbering from
 * from on (their ids come again), and a chat's last update of the old
 * numbering is no entry's prev. */
int rstream_renumber(struct rstream *rs, long long offset, long long from, long long *epoch,
		     struct err *e);

/* A link code made on device (for a group: group), valid ttl_ms: its
 * "/start CODE" goes there. */
int rstream_code(struct rstream *rs, const char *code, bool group, const char *device, long ttl_ms,
		 struct err *e);
/* chat_id was linked on device with a code: its updates go there (a code
 * only routes the update that names it: the device's store may refuse the
 * code). */
int rstream_home(struct rstream *rs, long long chat_id, const char *device, struct err *e);
/* chat_id was unlinked on device: it has no home now, unless another
 * device's. */
int rstream_unhome(struct rstream *rs, long long chat_id, const char *device, struct err *e);

/* One entry of the stream.  When it is not valid, why says what is wrong
 * (the other fields but id may be zero). */
struct rstream_entry {
	char id[48]; /* "1700000000000-0" */
	long long update_id, chat_id, prev;
	/* the numbering's epoch (0: the first, never renumbered) and its
	 * lowest update (rstream_renumber()) */
	long long numbering, numbered_from;
	char *body; /* the update's JSON */
	long deliveries;
	char why[160]; /* "" when valid */
};
void rstream_entries_free(struct rstream_entry *en, size_t n);

/* Parse item, [ID, [FIELD, VALUE, ...]] as XREADGROUP and XAUTOCLAIM answer.
 * -1 when not even the id can be read (the entry cannot be acknowledged);
 * 0 otherwise, with out->why set when a field is missing or wrong. */
int rstream_entry_parse(const struct rds_reply *item, struct rstream_entry *out, struct err *e);

/* Create the consumer group (and the stream) if they are not there. */
int rstream_group(struct rstream *rs, struct err *e);
/* Up to count new entries for consumer, waiting up to block_ms for one. */
int rstream_read(struct rstream *rs, const char *consumer, long count, long block_ms,
		 struct rstream_entry **out, size_t *n, struct err *e);
/* Take over up to count entries idle for idle_ms or more (XAUTOCLAIM), with
 * their delivery counts (XPENDING).  Each call goes on where the last one
 * stopped, round the pending entries. */
int rstream_claim(struct rstream *rs, const char *consumer, long idle_ms, long count,
		  struct rstream_entry **out, size_t *n, struct err *e);
/* Tell the group consumer still works on id (its idle time restarts; its
 * delivery count does not move). */
int rstream_touch(struct rstream *rs, const char *consumer, const char *id, struct err *e);
int rstream_ack(struct rstream *rs, const char *id, struct err *e);
/* Move en to the dead-letter stream with why, and acknowledge it. */
int rstream_dead(struct rstream *rs, const struct rstream_entry *en, const char *why,
		 struct err *e);

/* A dead letter as rstream_dead_list() reads them back. */
struct rstream_dead {
	char id[48];
	long long update_id, chat_id;
	char *why;
};
/* The number of dead letters, and the last up to max of them (out may be
 * NULL), newest first. */
int rstream_dead_list(struct rstream *rs, size_t max, long long *count, struct rstream_dead **out,
		      size_t *n, struct err *e);
void rstream_dead_free(struct rstream_dead *d, size_t n);

/* Entries waiting for a worker (never delivered) and delivered but not
 * acknowledged. */
int rstream_backlog(struct rstream *rs, long long *waiting, long long *pending, struct err *e);

#endif
