#include "job.h"
#include "caltz.h"
#include "event-int.h"
#include "store-int.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOB_COLS                                                                                   \
	"id, kind, payload, schedule, rule, tzid, dtstart, next_run, occurrence, state,"           \
	" lease_until, attempts, last_error, created_at, event_id, run_offset, exdates, user_id,"  \
	" COALESCE((SELECT wall_start FROM events WHERE events.id = jobs.event_id),"               \
	" CASE WHEN json_valid(payload) THEN json_extract(payload, '$.wall') END)"
#define ACTIVE "state IN ('pending','running')"
#define RUN_COLS                                                                                   \
	"id, job_id, occurrence, channel, started_at, finished_at, result, detail, output,"        \
	" conversation_id"

static const char *const state_words[] = { "pending", "running", "done", "cancelled", "failed" };
static const char *const result_words[] = { "ok", "skipped", "failed", "missed" };
#define NWORDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *job_state_name(enum job_state s)
{
	return store_word(state_words, NWORDS(state_words), (int)s);
}

int job_state_parse(const char *word, enum job_state *out)
{
	int v = store_word_value(state_words, NWORDS(state_words), word);

	if (v < 0)
		return -1;
	*out = (enum job_state)v;
	return 0;
}

bool job_state_active(enum job_state s)
{
	return s == JOB_PENDING || s == JOB_RUNNING;
}

const char *job_result_name(enum job_result r)
{
	return store_word(result_words, NWORDS(result_words), (int)r);
}

int job_result_parse(const char *word, enum job_result *out)
{
	int v = store_word_value(result_words, NWORDS(result_words), word);

	if (v < 0)
		return -1;
	*out = (enum job_result)v;
	return 0;
}

void job_release(struct job *j)
{
	if (!j)
		return;
	free(j->payload);
	free(j->rule);
	free(j->tzid);
	free(j->last_error);
	free(j->exdates);
	j->payload = j->rule = j->tzid = j->last_error = NULL;
	j->exdates = NULL;
	j->nexdates = 0;
}

void job_recur(const struct job *j, struct recur_rule *r)
{
	r->schedule = j->schedule;
	r->rule = j->rule;
	r->tzid = j->tzid;
	r->dtstart = j->dtstart;
	r->run_offset = j->run_offset;
	r->exdates = j->exdates;
	r->nexdates = j->nexdates;
	r->wall = j->has_wall ? &j->wall_start : NULL;
}

void job_list_free(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		job_release(&jobs[i]);
	free(jobs);
}

static void unfill_run(void *p);

void job_run_list_free(struct job_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		unfill_run(&runs[i]);
	free(runs);
}

static void copy_col(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

/* The exdates column: a JSON array of instants. */
static void exdates_from_json(const char *text, struct job *j)
{
	cJSON *a = text ? cJSON_Parse(text) : NULL, *v;

	if (!cJSON_IsArray(a)) {
		cJSON_Delete(a);
		return;
	}
	cJSON_ArrayForEach(v, a) {
		if (!cJSON_IsNumber(v))
			continue;
		j->exdates = xrealloc(j->exdates, (j->nexdates + 1) * sizeof(*j->exdates));
		j->exdates[j->nexdates++] = (time_t)v->valuedouble;
	}
	cJSON_Delete(a);
}

static char *exdates_json(const struct job *j)
{
	cJSON *a;
	char *s;

	if (!j->nexdates)
		return NULL;
	a = cJSON_CreateArray();
	for (size_t i = 0; i < j->nexdates; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)j->exdates[i]));
	s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

static void job_from_row(sqlite3_stmt *st, struct job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, j->kind, sizeof(j->kind));
	j->payload = store_col_text(st, 2);
	copy_col(st, 3, j->schedule, sizeof(j->schedule));
	j->rule = store_col_text(st, 4);
	j->tzid = store_col_text(st, 5);
	j->dtstart = (time_t)sqlite3_column_int64(st, 6);
	j->has_next = sqlite3_column_type(st, 7) != SQLITE_NULL;
	j->next_run = (time_t)sqlite3_column_int64(st, 7);
	j->occurrence = (time_t)sqlite3_column_int64(st, 8);
	/* a word this build does not know: a job that will not run */
	if (job_state_parse((const char *)sqlite3_column_text(st, 9), &j->state) < 0)
		j->state = JOB_FAILED;
	j->lease_until = (time_t)sqlite3_column_int64(st, 10);
	j->attempts = sqlite3_column_int(st, 11);
	j->last_error = store_col_text(st, 12);
	j->created_at = (time_t)sqlite3_column_int64(st, 13);
	j->event_id = sqlite3_column_int64(st, 14);
	j->run_offset = (long)sqlite3_column_int64(st, 15);
	exdates_from_json((const char *)sqlite3_column_text(st, 16), j);
	j->user_id = sqlite3_column_int64(st, 17);
	j->has_wall = sqlite3_column_type(st, 18) != SQLITE_NULL;
	j->wall_start = (time_t)sqlite3_column_int64(st, 18);
}

static void run_from_row(sqlite3_stmt *st, struct job_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->job_id = sqlite3_column_int64(st, 1);
	r->occurrence = (time_t)sqlite3_column_int64(st, 2);
	r->channel = store_col_text(st, 3);
	r->started_at = (time_t)sqlite3_column_int64(st, 4);
	r->finished_at = (time_t)sqlite3_column_int64(st, 5);
	if (job_result_parse((const char *)sqlite3_column_text(st, 6), &r->result) < 0)
		r->result = JOB_RUN_FAILED;
	r->detail = store_col_text(st, 7);
	r->output = store_col_text(st, 8);
	r->conversation_id = sqlite3_column_int64(st, 9);
}

static void bind_opt_time(sqlite3_stmt *st, int idx, bool has, time_t t)
{
	if (has)
		sqlite3_bind_int64(st, idx, (sqlite3_int64)t);
	else
		sqlite3_bind_null(st, idx);
}

static int changed(struct store *s, sqlite3_stmt *st, struct err *e);

/* Bind what defines j: payload, schedule, rule, tzid, dtstart, next_run,
 * occurrence (both next_run), run_offset and exdates to parameters 1-9. */
static void bind_definition(sqlite3_stmt *st, const struct job *j)
{
	store_bind_text(st, 1, j->payload);
	store_bind_text(st, 2, j->schedule);
	store_bind_text(st, 3, j->rule);
	store_bind_text(st, 4, j->tzid);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)j->dtstart);
	bind_opt_time(st, 6, j->has_next, j->next_run);
	bind_opt_time(st, 7, j->has_next, j->next_run);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)j->run_offset);
	if (j->nexdates)
		sqlite3_bind_text(st, 9, exdates_json(j), -1, free);
	else
		sqlite3_bind_null(st, 9);
}

int job_add(struct store *s, struct job *j, time_t now, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (!j->kind[0])
		return err_set(e, ERR_USAGE, "a job needs a kind");
	if (!j->schedule[0])
		snprintf(j->schedule, sizeof(j->schedule), "at");
	st = store_prepare(
		s,
		"INSERT INTO jobs(payload, schedule, rule, tzid, dtstart, next_run,"
		" occurrence, run_offset, exdates, kind, state, created_at, event_id, user_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
		e);
	if (!st)
		return -1;
	bind_definition(st, j);
	store_bind_text(st, 10, j->kind);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)now);
	if (j->event_id)
		sqlite3_bind_int64(st, 12, j->event_id);
	else
		sqlite3_bind_null(st, 12);
	sqlite3_bind_int64(st, 13, j->user_id ? j->user_id : s->user_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "job add");
	j->id = sqlite3_last_insert_rowid(s->db);
	j->occurrence = j->next_run;
	j->created_at = now;
	j->state = JOB_PENDING;
	return 0;
}

/* Whether a job's time column (col of st) is NULL or an integer within
 * the years 1-9999, as a time given here is. */
static bool job_time_ok(sqlite3_stmt *st, int col)
{
	sqlite3_int64 t = sqlite3_column_int64(st, col);

	return sqlite3_column_type(st, col) == SQLITE_NULL ||
	       (sqlite3_column_type(st, col) == SQLITE_INTEGER && t >= EVENT_TIME_MIN &&
		t < EVENT_TIME_END);
}

/* Whether exdates is NULL or a JSON array of times within the years. */
static bool exdates_ok(const char *exdates)
{
	cJSON *a = exdates ? cJSON_Parse(exdates) : NULL;
	const cJSON *it;
	bool ok = !exdates || cJSON_IsArray(a);

	cJSON_ArrayForEach(it, a)
		ok &= cJSON_IsNumber(it) && it->valuedouble >= (double)EVENT_TIME_MIN &&
		      it->valuedouble < (double)EVENT_TIME_END;
	cJSON_Delete(a);
	return ok;
}

/* The text of key k of payload p as a reminder or a routine asks it:
 * not blank, at most max bytes (0: any). */
static int payload_text(const cJSON *p, const char *k, size_t max, struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, k);

	if (!cJSON_IsString(v) || utf8_blank(v->valuestring))
		return err_set(e, ERR_USAGE, "a job's payload needs a %s", k);
	return utf8_check_field(k, v->valuestring, max, e);
}

static int job_check_row(sqlite3_stmt *st, struct err *e)
{
	const char *kind = (const char *)sqlite3_column_text(st, 0),
		   *payload = (const char *)sqlite3_column_text(st, 1),
		   *schedule = (const char *)sqlite3_column_text(st, 2),
		   *rule = (const char *)sqlite3_column_text(st, 3),
		   *tzid = (const char *)sqlite3_column_text(st, 4),
		   *state = (const char *)sqlite3_column_text(st, 8),
		   *exdates = (const char *)sqlite3_column_text(st, 9);
	sqlite3_int64 offset = sqlite3_column_int64(st, 10);
	enum job_state js;
	cJSON *p;
	int rc = 0;

	if (!kind || !*kind || strlen(kind) >= sizeof(((struct job *)0)->kind) ||
	    strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(kind))
		return err_set(e, ERR_USAGE, "bad job kind %s", utf8_q(kind ? kind : ""));
	if (!state || job_state_parse(state, &js) < 0)
		return err_set(e, ERR_USAGE, "bad job state %s", utf8_q(state ? state : ""));
	if (utf8_check_field("rule", rule, STORE_TITLE_MAX, e) < 0 ||
	    utf8_check_field("tzid", tzid, STORE_TITLE_MAX, e) < 0 ||
	    recur_check(schedule ? schedule : "", rule, e) < 0)
		return -1;
	if (schedule && !strcmp(schedule, "at") && rule)
		return err_set(e, ERR_USAGE, "a job at one time has no rule");
	if (!job_time_ok(st, 5) || !job_time_ok(st, 6) || !job_time_ok(st, 7))
		return err_set(e, ERR_USAGE, "a job must run in the years 1-9999");
	if (sqlite3_column_type(st, 10) != SQLITE_NULL &&
	    (sqlite3_column_type(st, 10) != SQLITE_INTEGER || offset < -2 * EVENT_DURATION_MAX ||
	     offset > 2 * EVENT_DURATION_MAX))
		return err_set(e, ERR_USAGE, "a job's run offset is out of range");
	if (!exdates_ok(exdates))
		return err_set(e, ERR_USAGE, "a job's exdates are not a list of times");
	if (payload && strlen(payload) > STORE_PAYLOAD_MAX)
		return err_set(e, ERR_USAGE, "a job's payload is too long (%zu bytes, at most %d)",
			       strlen(payload), STORE_PAYLOAD_MAX);
	p = payload ? cJSON_Parse(payload) : NULL;
	if (!cJSON_IsObject(p))
		rc = err_set(e, ERR_USAGE, "a job's payload is not a JSON object");
	else if (!strcmp(kind, "reminder"))
		rc = payload_text(p, "text", STORE_TITLE_MAX, e);
	else if (!strcmp(kind, "routine"))
		rc = payload_text(p, "request", 0, e);
	cJSON_Delete(p);
	return rc;
}

int job_check_stored(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT kind, payload, schedule, rule, tzid, dtstart, next_run, occurrence,"
		" state, exdates, run_offset FROM jobs WHERE id = ?",
		e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = job_check_row(st, e);
	else if (rc == SQLITE_DONE)
		rc = err_set(e, ERR_NOTFOUND, "no job %lld", id);
	else
		rc = store_error(s, e, "job");
	sqlite3_finalize(st);
	return rc;
}

/* Step st to its first row into *out; 1 found, 0 none, -1 error. */
static int one_job(struct store *s, sqlite3_stmt *st, struct job *out, struct err *e)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		job_from_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW && caltz_ensure(s, out->tzid, e) < 0) {
		job_release(out);
		return -1;
	}
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_error(s, e, "job");
}

/* Job id, the store user's alone when mine. */
static int get_job(struct store *s, long long id, bool mine, struct job *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1 AND (?2 OR user_id = ?3)", e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, !mine);
	sqlite3_bind_int64(st, 3, s->user_id);
	rc = one_job(s, st, out, e);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no job with id %lld", id);
	return rc < 0 ? -1 : 0;
}

int job_get(struct store *s, long long id, struct job *out, struct err *e)
{
	return get_job(s, id, true, out, e);
}

int job_get_any(struct store *s, long long id, struct job *out, struct err *e)
{
	return get_job(s, id, false, out, e);
}

static void fill_job(sqlite3_stmt *st, void *p)
{
	job_from_row(st, p);
}

static void fill_run(sqlite3_stmt *st, void *p)
{
	run_from_row(st, p);
}

static void unfill_job(void *p)
{
	job_release(p);
}

static void unfill_run(void *p)
{
	struct job_run *r = p;

	free(r->channel);
	free(r->detail);
	free(r->output);
}

void job_run_release(struct job_run *r)
{
	if (r)
		unfill_run(r);
}

static int collect_jobs(struct store *s, sqlite3_stmt *st, struct job **out, size_t *n,
			struct err *e)
{
	void *arr;
	int rc = store_collect(s, st, sizeof(**out), fill_job, unfill_job, &arr, n, "job list", e);

	*out = arr;
	for (size_t i = 0; rc == 0 && i < *n; i++)
		rc = caltz_ensure(s, (*out)[i].tzid, e);
	if (rc < 0) {
		job_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int job_list(struct store *s, const char *kind, bool all, struct job **out, size_t *n,
	     struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		all ? "SELECT " JOB_COLS
		      " FROM jobs WHERE (?1 IS NULL OR kind = ?1) AND user_id = ?2"
		      " ORDER BY " ACTIVE " DESC, next_run IS NULL, next_run, id"
		    : "SELECT " JOB_COLS " FROM jobs WHERE (?1 IS NULL OR kind = ?1) AND " ACTIVE
		      " AND user_id = ?2 ORDER BY next_run, id",
		e);

	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	sqlite3_bind_int64(st, 2, s->user_id);
	return collect_jobs(s, st, out, n, e);
}

int job_list_event(struct store *s, long long event_id, struct job **out, size_t *n, struct err *e)
{
	static const char *const sql = "SELECT " JOB_COLS " FROM jobs WHERE event_id = ?"
				       " ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, event_id);
	return collect_jobs(s, st, out, n, e);
}

int job_redefine(struct store *s, const struct job *j, struct err *e)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"UPDATE jobs SET payload = ?, schedule = ?, rule = ?, tzid = ?, dtstart = ?,"
		" next_run = ?, occurrence = ?, run_offset = ?, exdates = ?, state = 'pending',"
		" attempts = 0, last_error = NULL, claim = NULL, lease_until = NULL WHERE id = ?10",
		e);
	int rc;

	if (!st)
		return -1;
	bind_definition(st, j);
	sqlite3_bind_int64(st, 10, j->id);
	rc = changed(s, st, e);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no job with id %lld", j->id);
	return rc < 0 ? -1 : 0;
}

int job_set_payload(struct store *s, long long id, const char *payload, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE jobs SET payload = ? WHERE id = ?", e);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, payload);
	sqlite3_bind_int64(st, 2, id);
	rc = changed(s, st, e);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no job with id %lld", id);
	return rc < 0 ? -1 : 0;
}

int job_delete(struct store *s, long long id, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM jobs WHERE id = ?", e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return changed(s, st, e) < 0 ? -1 : 0;
}

int job_due(struct store *s, time_t now, size_t limit, struct job **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " JOB_COLS " FROM jobs WHERE " ACTIVE
					 " AND next_run <= ? ORDER BY next_run, id LIMIT ?",
					 e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return collect_jobs(s, st, out, n, e);
}

int job_next_due(struct store *s, time_t *next, bool *has, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT next_run FROM jobs WHERE " ACTIVE
					 " AND next_run IS NOT NULL ORDER BY next_run LIMIT 1",
					 e);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	*has = rc == SQLITE_ROW;
	if (*has)
		*next = (time_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "job next");
	return 0;
}

int job_claim(struct store *s, time_t now, time_t lease_until, const char *token, struct job *out,
	      struct err *e)
{
	sqlite3_stmt *st;
	int found;

	if (store_begin(s, e) < 0)
		return -1;
	st = store_prepare(s,
			   "SELECT " JOB_COLS " FROM jobs WHERE " ACTIVE
			   " AND next_run <= ? ORDER BY next_run LIMIT 1",
			   e);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	found = one_job(s, st, out, e);
	if (found < 0)
		goto fail;
	if (found == 0) {
		store_rollback(s);
		return 0;
	}
	st = store_prepare(s,
			   "UPDATE jobs SET state = 'running', next_run = ?1, lease_until = ?1,"
			   " claim = ?2, attempts = attempts + 1 WHERE id = ?3",
			   e);
	if (!st)
		goto fail_job;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)lease_until);
	store_bind_text(st, 2, token);
	sqlite3_bind_int64(st, 3, out->id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_error(s, e, "job claim");
		sqlite3_finalize(st);
		goto fail_job;
	}
	sqlite3_finalize(st);
	if (store_commit(s, e) < 0)
		goto fail_job;
	out->attempts++;
	return 1;
fail_job:
	job_release(out);
fail:
	store_rollback(s);
	return -1;
}

/* Run an UPDATE bound by the caller; 1 when it changed a row, 0 when not. */
static int changed(struct store *s, sqlite3_stmt *st, struct err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, e, "job");
	return sqlite3_changes(s->db) > 0;
}

int job_renew(struct store *s, long long id, const char *token, time_t lease_until, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "UPDATE jobs SET next_run = ?1, lease_until = ?1"
					 " WHERE id = ?2 AND claim = ?3 AND state = 'running'",
					 e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)lease_until);
	sqlite3_bind_int64(st, 2, id);
	store_bind_text(st, 3, token);
	return changed(s, st, e);
}

int job_free_occurrence(struct store *s, long long id, time_t at, time_t *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT DISTINCT occurrence FROM job_runs WHERE job_id = ?"
					 " AND occurrence <= ? ORDER BY occurrence DESC",
					 e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	*out = at;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) == *out)
		(*out)--;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "job runs");
	return 0;
}

int job_delivered(struct store *s, long long id, time_t occurrence, const char *channel, bool *done,
		  struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT 1 FROM job_runs WHERE job_id = ? AND occurrence = ?"
			      " AND channel = ? AND result IN ('ok','skipped')",
			      e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)occurrence);
	store_bind_text(st, 3, channel);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "job runs");
	*done = rc == SQLITE_ROW;
	return 0;
}

int job_record(struct store *s, const struct job_run *r, struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "INSERT OR IGNORE INTO job_runs(job_id, occurrence, channel,"
			      " started_at, finished_at, result, detail, output,"
			      " conversation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			      e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, r->job_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->occurrence);
	store_bind_text(st, 3, r->channel);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->started_at);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->finished_at);
	store_bind_text(st, 6, job_result_name(r->result));
	store_bind_text(st, 7, r->detail);
	store_bind_text(st, 8, r->output);
	if (r->conversation_id)
		sqlite3_bind_int64(st, 9, r->conversation_id);
	else
		sqlite3_bind_null(st, 9);
	return changed(s, st, e);
}

int job_run_get(struct store *s, long long id, time_t occurrence, const char *channel,
		struct job_run *out, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " RUN_COLS " FROM job_runs WHERE job_id = ?"
					 " AND occurrence = ? AND channel = ? AND result = 'ok'",
					 e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)occurrence);
	store_bind_text(st, 3, channel);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		run_from_row(st, out);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "job runs");
	return rc == SQLITE_ROW;
}

static void bind_next(sqlite3_stmt *st, const struct job_next *n)
{
	store_bind_text(st, 1, job_state_name(n->state));
	bind_opt_time(st, 2, n->has_next, n->next_run);
	bind_opt_time(st, 3, n->has_next, n->occurrence);
	sqlite3_bind_int(st, 4, n->attempts);
	store_bind_text(st, 5, n->last_error);
}

#define SET_NEXT                                                                                   \
	"UPDATE jobs SET state = ?1, next_run = ?2, occurrence = coalesce(?3, occurrence),"        \
	" attempts = ?4, last_error = ?5, claim = NULL, lease_until = NULL WHERE id = ?6"

int job_finish(struct store *s, long long id, const char *token, const struct job_next *n,
	       struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, SET_NEXT " AND claim = ?7", e);

	if (!st)
		return -1;
	bind_next(st, n);
	sqlite3_bind_int64(st, 6, id);
	store_bind_text(st, 7, token);
	return changed(s, st, e);
}

int job_set(struct store *s, long long id, const struct job_next *n, struct err *e)
{
	sqlite3_stmt *st = store_prepare(s, SET_NEXT, e);
	int rc;

	if (!st)
		return -1;
	bind_next(st, n);
	sqlite3_bind_int64(st, 6, id);
	rc = changed(s, st, e);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no job with id %lld", id);
	return rc < 0 ? -1 : 0;
}

int job_history(struct store *s, long long id, size_t limit, struct job_run **out, size_t *n,
		struct err *e)
{
	sqlite3_stmt *st =
		store_prepare(s,
			      "SELECT " RUN_COLS " FROM job_runs WHERE (?1 = 0 OR job_id = ?1)"
			      " AND job_id IN (SELECT id FROM jobs WHERE user_id = ?3)"
			      " ORDER BY id DESC LIMIT ?2",
			      e);
	void *arr;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	sqlite3_bind_int64(st, 3, s->user_id);
	rc = store_collect(s, st, sizeof(**out), fill_run, unfill_run, &arr, n, "job history", e);
	*out = arr;
	return rc;
}

int job_runs_since(struct store *s, const char *channel, long long *after, size_t limit,
		   struct job_run **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st;
	void *arr;
	int rc;

	*out = NULL;
	*n = 0;
	if (*after < 0) {
		st = store_prepare(s, "SELECT coalesce(max(id), 0) FROM job_runs", e);
		if (!st)
			return -1;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*after = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return rc == SQLITE_ROW ? 0 : store_error(s, e, "job runs");
	}
	st = store_prepare(
		s,
		"SELECT " RUN_COLS " FROM job_runs WHERE id > ?1 AND channel = ?2"
		" AND result = 'ok' AND job_id IN (SELECT id FROM jobs WHERE user_id = ?3)"
		" ORDER BY id LIMIT ?4",
		e);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, *after);
	store_bind_text(st, 2, channel);
	sqlite3_bind_int64(st, 3, s->user_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
	rc = store_collect(s, st, sizeof(**out), fill_run, unfill_run, &arr, n, "job runs", e);
	*out = arr;
	if (rc == 0 && *n)
		*after = (*out)[*n - 1].id;
	return rc;
}
