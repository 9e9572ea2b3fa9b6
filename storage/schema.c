/*
 * The migrations.  Append only: a released migration is never edited;
 * a change to the schema is a new entry at the end of the array.
 */
#include "schema.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>
#include "schema-sync.h"

/* Queue the deletion in Google of the event OLD as it was: its id, etag
 * and calendar (a trigger's statement, for migrations 22 and 23). */
#define GOOGLE_DEL_OLD                                                                             \
	"  INSERT INTO outbox(target, op, entity, entity_id, payload, created_at)"                 \
	"    VALUES ('google', 'del', 'event', OLD.id, json_object('remote_id', OLD.remote_id,"    \
	"    'etag', OLD.etag, 'calendar', (SELECT remote_id FROM calendars"                       \
	"    WHERE id = OLD.calendar_id)), CAST(strftime('%s','now') AS INTEGER));"

/* The class of events_reach of a series from start to until (migrations
 * 10 and 24; event_reach() in event-occ.c says the same): k when until is
 * at most 2^k days after start, 15 beyond 2^14. */
#define REACH_CLASSES                                                                              \
	"  WHEN until - start <= 86400 THEN 0"                                                     \
	"  WHEN until - start <= 172800 THEN 1"                                                    \
	"  WHEN until - start <= 345600 THEN 2"                                                    \
	"  WHEN until - start <= 691200 THEN 3"                                                    \
	"  WHEN until - start <= 1382400 THEN 4"                                                   \
	"  WHEN until - start <= 2764800 THEN 5"                                                   \
	"  WHEN until - start <= 5529600 THEN 6"                                                   \
	"  WHEN until - start <= 11059200 THEN 7"                                                  \
	"  WHEN until - start <= 22118400 THEN 8"                                                  \
	"  WHEN until - start <= 44236800 THEN 9"                                                  \
	"  WHEN until - start <= 88473600 THEN 10"                                                 \
	"  WHEN until - start <= 176947200 THEN 11"                                                \
	"  WHEN until - start <= 353894400 THEN 12"                                                \
	"  WHEN until - start <= 707788800 THEN 13"                                                \
	"  WHEN until - start <= 1415577600 THEN 14"                                               \
	"  ELSE 15 END"

/* The body of migration 25's triggers: a series whose reach is smaller
 * than its class (REACH_CLASSES), or not a class (0 to 15), which the
 * agenda would miss, put in the class every window reads. */
#define REACH_STALE_NEW                                                                            \
	"  NEW.rrule IS NOT NULL AND NEW.until IS NOT NULL AND (NEW.reach IS NULL"                 \
	"  OR NEW.reach NOT BETWEEN 0 AND 15"                                                      \
	"  OR NEW.reach < 15 AND NEW.until - NEW.start > 86400 << NEW.reach)"                      \
	"  BEGIN UPDATE events SET reach = 15 WHERE id = NEW.id; END;"

/* Migration 26's spelling of the Google triggers' test: the calendar of
 * row is a Google one and no pull is being applied (google_state holds
 * one row: its CHECK).  One subquery where 13 to 23 had two: a trigger's
 * SQL is parsed at every open of the database. */
#define GOOGLE_CAL(row)                                                                            \
	" (SELECT source = 'google' AND NOT applying FROM calendars, google_state"                 \
	" WHERE calendars.id = " row ".calendar_id)"

/* Queue a put of the event NEW (migration 26).  strftime('%s') is text:
 * outbox.created_at, an INTEGER column, stores it as the integer the CAST
 * of 13 gave. */
#define GOOGLE_PUT_NEW                                                                             \
	" INSERT INTO outbox(target, op, entity, entity_id, created_at)"                           \
	" VALUES ('google', 'put', 'event', NEW.id, strftime('%s'));"

/* GOOGLE_DEL_OLD for migration 26: the calendar's row read once, for the
 * payload (the triggers' test found it). */
#define GOOGLE_DEL_OLD_26                                                                          \
	" INSERT INTO outbox(target, op, entity, entity_id, payload, created_at)"                  \
	" SELECT 'google', 'del', 'event', OLD.id, json_object('remote_id', OLD.remote_id,"        \
	" 'etag', OLD.etag, 'calendar', remote_id), strftime('%s') FROM calendars"                 \
	" WHERE id = OLD.calendar_id;"

/* REACH_STALE_NEW for migration 26, the same test in fewer terms: a reach
 * NULL or out of 0 to 15 makes NOT BETWEEN NULL or 1, both IS NOT 0. */
#define REACH_STALE_26                                                                             \
	" NEW.rrule NOTNULL AND NEW.until NOTNULL AND (NEW.reach NOT BETWEEN 0 AND 15 IS NOT 0"    \
	" OR NEW.reach < 15 AND NEW.until - NEW.start > 86400 << NEW.reach)"                       \
	" BEGIN UPDATE events SET reach = 15 WHERE id = NEW.id; END;"

/* Migration 26's four Google triggers, as 13, 22 and 23 made them. */
#define GOOGLE_CAL_NEW GOOGLE_CAL("NEW")
#define GOOGLE_CAL_OLD GOOGLE_CAL("OLD")
#define GOOGLE_AI_26                                                                               \
	"CREATE TRIGGER events_google_ai AFTER INSERT ON events WHEN" GOOGLE_CAL_NEW               \
	" BEGIN UPDATE events SET remote_id = lower(hex(randomblob(16)))"                          \
	" WHERE id = NEW.id AND remote_id IS NULL;" GOOGLE_PUT_NEW " END;"
#define GOOGLE_AU_26                                                                               \
	"CREATE TRIGGER events_google_au AFTER UPDATE OF calendar_id, summary, description,"       \
	" location, start, \"end\", tzid, all_day, rrule, exdates, attendees, alarms ON events"    \
	" WHEN" GOOGLE_CAL_NEW " BEGIN UPDATE events SET remote_id = lower(hex(randomblob(16))),"  \
	" etag = NULL WHERE id = NEW.id AND (remote_id IS NULL OR OLD.calendar_id IS NOT"          \
	" NEW.calendar_id);" GOOGLE_PUT_NEW " END;"
#define GOOGLE_MOVED_26                                                                            \
	"CREATE TRIGGER events_google_moved AFTER UPDATE OF calendar_id ON events"                 \
	" WHEN OLD.calendar_id IS NOT NEW.calendar_id AND OLD.remote_id NOTNULL "                  \
	"AND" GOOGLE_CAL_OLD " BEGIN" GOOGLE_DEL_OLD_26                                            \
	" UPDATE events SET remote_id = NULL, etag = NULL WHERE id = NEW.id"                       \
	" AND (SELECT source FROM calendars WHERE id = NEW.calendar_id) IS NOT 'google'; END;"
#define GOOGLE_AD_26                                                                               \
	"CREATE TRIGGER events_google_ad AFTER DELETE ON events WHEN OLD.remote_id NOTNULL"        \
	" AND" GOOGLE_CAL_OLD " BEGIN" GOOGLE_DEL_OLD_26 " END;"

const char *const schema_migrations[] = {
	/* 1: the whole data model of DESIGN.md */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  tz TEXT,"
	"  locale TEXT,"
	"  telegram_chat_id INTEGER UNIQUE,"
	"  settings TEXT"
	");"
	"INSERT INTO users(id, name) VALUES (1, 'me');"
	"CREATE TABLE assistants ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  backend TEXT NOT NULL DEFAULT 'offline' CHECK (backend IN ('offline','llm')),"
	"  base_url TEXT,"
	"  model TEXT,"
	"  key_secret TEXT,"
	"  system_prompt TEXT,"
	"  temperature REAL,"
	"  tools TEXT,"
	"  token_budget INTEGER NOT NULL DEFAULT 8192,"
	"  is_default INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL"
	");"
	"INSERT INTO assistants(id, name, backend, is_default, created_at)"
	"  VALUES (1, 'nestor', 'offline', 1, strftime('%s','now'));"
	"CREATE TABLE conversations ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL DEFAULT 1 REFERENCES users(id),"
	"  assistant_id INTEGER REFERENCES assistants(id) ON DELETE SET NULL,"
	"  channel TEXT NOT NULL DEFAULT 'cli' CHECK (channel IN ('tui','repl','cli','telegram')),"
	"  title TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL CHECK (role IN ('system','user','assistant','tool')),"
	"  content TEXT,"
	"  tool_calls TEXT,"
	"  tool_call_id TEXT,"
	"  state TEXT NOT NULL DEFAULT 'complete',"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX messages_conv ON messages(conversation_id, id);"
	"CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', "
	"content_rowid='id');"
	"CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN"
	"  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);"
	"END;"
	"CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, "
	"old.content);"
	"END;"
	"CREATE TRIGGER messages_au AFTER UPDATE OF content ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, "
	"old.content);"
	"  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);"
	"END;"
	"CREATE TABLE calendars ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local','google')),"
	"  remote_id TEXT,"
	"  sync_token TEXT"
	");"
	"INSERT INTO calendars(id, name) VALUES (1, 'personal');"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  calendar_id INTEGER NOT NULL DEFAULT 1 REFERENCES calendars(id) ON DELETE CASCADE,"
	"  uid TEXT NOT NULL UNIQUE,"
	"  summary TEXT NOT NULL,"
	"  description TEXT,"
	"  location TEXT,"
	"  start INTEGER NOT NULL,"
	"  end INTEGER NOT NULL,"
	"  tzid TEXT,"
	"  all_day INTEGER NOT NULL DEFAULT 0,"
	"  rrule TEXT,"
	"  exdates TEXT,"
	"  attendees TEXT,"
	"  alarms TEXT,"
	"  until INTEGER,"
	"  remote_id TEXT,"
	"  etag TEXT,"
	"  updated_at INTEGER NOT NULL,"
	"  deleted INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX events_start ON events(start) WHERE rrule IS NULL AND deleted = 0;"
	"CREATE INDEX events_series ON events(until) WHERE rrule IS NOT NULL AND deleted = 0;"
	"CREATE TABLE event_overrides ("
	"  id INTEGER PRIMARY KEY,"
	"  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	"  recurrence_id INTEGER NOT NULL,"
	"  summary TEXT,"
	"  description TEXT,"
	"  location TEXT,"
	"  start INTEGER NOT NULL,"
	"  end INTEGER NOT NULL,"
	"  tzid TEXT,"
	"  UNIQUE (event_id, recurrence_id)"
	");"
	"CREATE TABLE tasks ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL DEFAULT 1 REFERENCES users(id),"
	"  title TEXT NOT NULL,"
	"  notes TEXT,"
	"  priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9),"
	"  due INTEGER,"
	"  status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo','done','cancelled')),"
	"  created_at INTEGER NOT NULL,"
	"  done_at INTEGER"
	");"
	"CREATE INDEX tasks_open ON tasks(status, due);"
	"CREATE TABLE jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  user_id INTEGER NOT NULL DEFAULT 1 REFERENCES users(id),"
	"  payload TEXT,"
	"  schedule TEXT NOT NULL DEFAULT 'at' CHECK (schedule IN ('at','cron','rrule')),"
	"  rule TEXT,"
	"  tzid TEXT,"
	"  next_run INTEGER,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  lease_until INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX jobs_due ON jobs(next_run) WHERE state IN ('pending','running');"
	"CREATE TABLE job_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
	"  occurrence INTEGER NOT NULL,"
	"  channel TEXT,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER,"
	"  result TEXT"
	");"
	"CREATE INDEX job_runs_job ON job_runs(job_id, occurrence);"
	"CREATE TABLE tool_cache ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	");"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL,"
	"  op TEXT NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  entity_id INTEGER,"
	"  payload TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX outbox_due ON outbox(target, next_attempt);"
	"CREATE TABLE sync_state ("
	"  target TEXT PRIMARY KEY,"
	"  cursor TEXT"
	");",
	/* 2: the scheduler's claims and exactly-once deliveries */
	"ALTER TABLE jobs ADD COLUMN dtstart INTEGER;"
	"ALTER TABLE jobs ADD COLUMN occurrence INTEGER;"
	"ALTER TABLE jobs ADD COLUMN claim TEXT;"
	"ALTER TABLE job_runs ADD COLUMN detail TEXT;"
	"UPDATE jobs SET dtstart = next_run, occurrence = next_run;"
	"CREATE UNIQUE INDEX job_runs_once ON job_runs(job_id, occurrence, channel)"
	"  WHERE result IN ('ok','skipped');",
	/* 3: the calendar: time zones defined only by an imported VTIMEZONE, and
	 * an index for the rare single events longer than a week (the agenda
	 * finds shorter ones by start alone) */
	"CREATE TABLE timezones ("
	"  tzid TEXT PRIMARY KEY,"
	"  vtimezone TEXT NOT NULL"
	");"
	"CREATE INDEX events_long ON events(\"end\")"
	"  WHERE rrule IS NULL AND deleted = 0 AND \"end\" - start > 604800;",
	/* 4: reminders made from an event's VALARMs belong to the event: they
	 * go when it is deleted */
	"ALTER TABLE jobs ADD COLUMN event_id INTEGER REFERENCES events(id) ON DELETE CASCADE;"
	"CREATE INDEX jobs_event ON jobs(event_id) WHERE event_id IS NOT NULL;",
	/* 5: a VALARM's reminder keeps the occurrences it skips and its offset
	 * from them in columns (exdates a JSON array of instants), no longer as
	 * "EXDATE:" and "TRIGGER:" lines after the RRULE (see schema_functions) */
	"ALTER TABLE jobs ADD COLUMN run_offset INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE jobs ADD COLUMN exdates TEXT;"
	"UPDATE jobs SET"
	"  rule = coalesce(json_extract(nestor_alarm_rule_v4(rule), '$.rule'), rule),"
	"  run_offset = coalesce(json_extract(nestor_alarm_rule_v4(rule), '$.run_offset'), 0),"
	"  exdates = nullif(json_extract(nestor_alarm_rule_v4(rule), '$.exdates'), '[]')"
	"  WHERE schedule = 'rrule' AND instr(rule, char(10)) > 0;",
	/* 6: a task due on a day, not at a time, says so; before, such a task
	 * was due at 23:59:59 local time and that time stood for "a date" */
	"ALTER TABLE tasks ADD COLUMN due_date_only INTEGER NOT NULL DEFAULT 0;"
	"UPDATE tasks SET due_date_only = 1 WHERE due IS NOT NULL"
	"  AND strftime('%H:%M:%S', due, 'unixepoch', 'localtime') = '23:59:59';",
	/* 7: what each answer of a model cost (the token counts its server
	 * reported) and its reasoning, kept apart from the reply; an
	 * assistant's limit on the tokens of an answer */
	"ALTER TABLE messages ADD COLUMN prompt_tokens INTEGER;"
	"ALTER TABLE messages ADD COLUMN completion_tokens INTEGER;"
	"ALTER TABLE messages ADD COLUMN reasoning TEXT;"
	"ALTER TABLE assistants ADD COLUMN max_tokens INTEGER;",
	/* 8: routines: a run keeps the assistant's reply and the conversation
	 * it went into; failed deliveries are found by time for `nestor status` */
	"ALTER TABLE job_runs ADD COLUMN output TEXT;"
	"ALTER TABLE job_runs ADD COLUMN conversation_id INTEGER"
	"  REFERENCES conversations(id) ON DELETE SET NULL;"
	"CREATE INDEX job_runs_failed ON job_runs(finished_at) WHERE result = 'failed';",
	/* 9: the server profile (sync.h).  Rows get a global id; a change made
	 * while capture is on (sync_self) goes into the outbox in the same
	 * transaction, by the triggers below, and its fields get a version
	 * (hybrid logical clock and device) in sync_obj. */
	SYNC_MIGRATION,
	/* 10: series indexed by the interval they can reach, from their start
	 * to the last instant they can end (until; NULL: never ends), so an
	 * agenda reads only the series that can touch its window, however
	 * many there are.  A B-tree cannot search intervals directly, so the
	 * series are put in classes by the length of their reach, in powers of
	 * two days (reach 0: a day or less ... 14: 2^14 days, 15: longer): in
	 * class k, a series that reaches a window starts at most 2^k days
	 * before it, a range of events_reach, and until, in the index too,
	 * leaves only those that do.  reach is computed from start and until,
	 * the index of a function of the row: nothing here can go stale. */
	"ALTER TABLE events ADD COLUMN reach INTEGER GENERATED ALWAYS AS ("
	"  CASE WHEN rrule IS NULL OR until IS NULL THEN NULL" REACH_CLASSES ") VIRTUAL;"
	"CREATE INDEX events_reach ON events(reach, start, until)"
	"  WHERE rrule IS NOT NULL AND deleted = 0 AND until IS NOT NULL;"
	"CREATE INDEX events_forever ON events(start)"
	"  WHERE rrule IS NOT NULL AND deleted = 0 AND until IS NULL;"
	"DROP INDEX events_series;",
	/* 11: a task keeps the UID of the VTODO it came from (or one made
	 * for it), so an iCalendar file imported again updates it */
	"ALTER TABLE tasks ADD COLUMN uid TEXT;"
	"UPDATE tasks SET uid = created_at || '-' || lower(hex(randomblob(8))) || '@nestor';"
	"CREATE UNIQUE INDEX tasks_uid ON tasks(uid);",
	/* 12: the question the offline assistant asked last in a conversation
	 * ("When?", "Which one?", "this one or all?"), so the next message
	 * answers it whichever front it comes from; a JSON object the engine
	 * reads (conversation.h).  Kept on this device: it is not synced. */
	"CREATE TABLE conversation_pending ("
	"  conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,"
	"  question TEXT NOT NULL,"
	"  asked_at INTEGER NOT NULL);",
	/* 13: Google Calendar (gsync.h).  A Google calendar keeps its
	 * colour, the user's access, whether it syncs, its zone and default
	 * reminders; google_state says whether a pull is being applied (then
	 * nothing is queued) and why sync is paused.  A change of an event of a
	 * Google calendar queues an outbox row of target "google" in the same
	 * transaction; a new one gets its Google id here, so a retried insert
	 * names the same event. */
	"ALTER TABLE calendars ADD COLUMN color TEXT;"
	"ALTER TABLE calendars ADD COLUMN access TEXT;"
	"ALTER TABLE calendars ADD COLUMN sync INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE calendars ADD COLUMN tz TEXT;"
	"ALTER TABLE calendars ADD COLUMN reminders TEXT;"
	"CREATE UNIQUE INDEX calendars_remote ON calendars(remote_id) WHERE source = 'google';"
	"CREATE INDEX events_remote ON events(calendar_id, remote_id) WHERE remote_id IS NOT NULL;"
	"CREATE TABLE google_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  applying INTEGER NOT NULL DEFAULT 0,"
	"  paused_at INTEGER,"
	"  paused_why TEXT"
	");"
	"INSERT INTO google_state(id) VALUES (1);"
	"CREATE TRIGGER events_google_ai AFTER INSERT ON events"
	"  WHEN NOT (SELECT applying FROM google_state WHERE id = 1)"
	"  AND (SELECT source FROM calendars WHERE id = NEW.calendar_id) = 'google' BEGIN"
	"  UPDATE events SET remote_id = lower(hex(randomblob(16)))"
	"    WHERE id = NEW.id AND remote_id IS NULL;"
	"  INSERT INTO outbox(target, op, entity, entity_id, created_at)"
	"    VALUES ('google', 'put', 'event', NEW.id, CAST(strftime('%s','now') AS INTEGER));"
	"END;"
	"CREATE TRIGGER events_google_au AFTER UPDATE OF calendar_id, summary, description,"
	"  location, start, \"end\", tzid, all_day, rrule, exdates, attendees, alarms ON events"
	"  WHEN NOT (SELECT applying FROM google_state WHERE id = 1)"
	"  AND (SELECT source FROM calendars WHERE id = NEW.calendar_id) = 'google' BEGIN"
	"  UPDATE events SET remote_id = lower(hex(randomblob(16)))"
	"    WHERE id = NEW.id AND remote_id IS NULL;"
	"  INSERT INTO outbox(target, op, entity, entity_id, created_at)"
	"    VALUES ('google', 'put', 'event', NEW.id, CAST(strftime('%s','now') AS INTEGER));"
	"END;"
	"CREATE TRIGGER events_google_ad AFTER DELETE ON events"
	"  WHEN NOT (SELECT applying FROM google_state WHERE id = 1) AND OLD.remote_id IS NOT NULL"
	"  AND OLD.etag IS NOT NULL"
	"  AND (SELECT source FROM calendars WHERE id = OLD.calendar_id) = 'google' BEGIN"
	"  INSERT INTO outbox(target, op, entity, entity_id, payload, created_at)"
	"    VALUES ('google', 'del', 'event', OLD.id, json_object('remote_id', OLD.remote_id,"
	"    'etag', OLD.etag, 'calendar', (SELECT remote_id FROM calendars"
	"    WHERE id = OLD.calendar_id)), CAST(strftime('%s','now') AS INTEGER));"
	"END;",
	/* 14: bearer tokens of `nestor serve` (token.h): only the SHA-256 of
	 * each secret, never the secret; a token acts as its user. */
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  label TEXT,"
	"  hash TEXT NOT NULL,"
	"  read_only INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  last_used INTEGER);",
	/* 15: MCP servers whose tools assistants may use (mcpserver.h): a
	 * command line (argv as a JSON array) or a URL; and what the user
	 * answered to an assistant's first call of each of their tools. */
	"CREATE TABLE mcp_servers ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  argv TEXT,"
	"  url TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK ((argv IS NULL) != (url IS NULL)));"
	"CREATE TABLE mcp_approvals ("
	"  assistant_id INTEGER NOT NULL REFERENCES assistants(id) ON DELETE CASCADE,"
	"  tool TEXT NOT NULL,"
	"  allow INTEGER NOT NULL,"
	"  PRIMARY KEY (assistant_id, tool));",
	/* 16: the Telegram relay (src/telegram.h).  A chat belongs to a user
	 * through users.telegram_chat_id; telegram_chats keeps its
	 * conversation and place, telegram_codes the one-time link codes,
	 * telegram_buttons the short keys a reminder's buttons carry, and
	 * telegram_seen the updates processed (a stream may hand one out
	 * twice).  The poller's offset is sync_state's "telegram" cursor and
	 * outgoing messages wait in the outbox (target "telegram"). */
	"CREATE TABLE telegram_chats ("
	"  chat_id INTEGER PRIMARY KEY,"
	"  conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,"
	"  latitude REAL,"
	"  longitude REAL,"
	"  last_at INTEGER"
	");"
	"CREATE TABLE telegram_codes ("
	"  code TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  expires_at INTEGER NOT NULL"
	");"
	"CREATE TABLE telegram_buttons ("
	"  key TEXT PRIMARY KEY,"
	"  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
	"  occurrence INTEGER NOT NULL,"
	"  chat_id INTEGER NOT NULL,"
	"  outbox_id INTEGER,"
	"  message_id INTEGER,"
	"  action TEXT,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX telegram_buttons_outbox ON telegram_buttons(outbox_id);"
	"CREATE TABLE telegram_seen ("
	"  update_id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL"
	");",
	/* 17: the Telegram outbox by chat, oldest first: when the outbox is
	 * drained with claims (tgstore_out_claim, the relay of
	 * src/telegram-redis.c), only the oldest entry of each chat may go,
	 * so a chat's messages keep their order. */
	"CREATE INDEX outbox_entity ON outbox(target, entity_id, id);",
	/* 18: the series' indexes of 10 hold every column an agenda's lines
	 * show (event_agenda() in event-occ.c), so a window reads its series
	 * from the index alone: looking each row up in the table by its id was
	 * a third of reading it.  Not the notes, attendees or alarms: with them
	 * the indexes doubled a series' size and an import of 100k events took
	 * twice as long (its pages no longer fit SQLite's cache).  They are kept
	 * by SQLite with the rows, like any index. */
	"DROP INDEX events_reach;"
	"DROP INDEX events_forever;"
	"CREATE INDEX events_reach ON events(reach, start, until, \"end\", all_day, calendar_id,"
	"  summary, location, tzid, rrule, exdates)"
	"  WHERE rrule IS NOT NULL AND deleted = 0 AND until IS NOT NULL;"
	"CREATE INDEX events_forever ON events(start, \"end\", all_day, calendar_id, summary,"
	"  location, tzid, rrule, exdates) WHERE rrule IS NOT NULL AND deleted = 0 AND until IS "
	"NULL;",
	/* 19: the updates done by when (tgstore_seen_prune): forgetting the
	 * old ones reads only them, not the whole table. */
	"CREATE INDEX telegram_seen_at ON telegram_seen(at);",
	/* 20: the turns under way that a caller names by a key of its own (a
	 * Telegram update): the conversation and the last message the running
	 * turn stored.  A turn runs as short transactions; each first checks
	 * last_message is still what it saw (else another process took the
	 * turn over) and advances it.  A row left by a process that died is
	 * how its turn resumes (engine_turn_journal). */
	"CREATE TABLE turn_journal ("
	"  key TEXT PRIMARY KEY,"
	"  conversation INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
	"  last_message INTEGER NOT NULL,"
	"  started INTEGER NOT NULL"
	");",
	/* 21: the single events' index of 1 holds every column an agenda's
	 * lines show, as 18 made the series' (event_agenda()): a window read
	 * each single event's row from the table by its id, and the rows of
	 * one week are scattered through the whole table, a page each (at
	 * 100k events a week touched 130 more pages of the file). */
	"DROP INDEX events_start;"
	"CREATE INDEX events_start ON events(start, \"end\", all_day, calendar_id,"
	"  summary, location, tzid, rrule, exdates) WHERE rrule IS NULL AND deleted = 0;",
	/* 22: an event that leaves a Google calendar (for a local one or
	 * another Google calendar) is deleted there: a "del" with the id,
	 * etag and calendar it had.  In a Google calendar it is a new insert
	 * under a new id; out of one it keeps no id or etag, so a move back
	 * is an insert too.  Before, only the calendar moved to was looked at:
	 * the copy in Google stayed. */
	"DROP TRIGGER events_google_au;"
	"CREATE TRIGGER events_google_au AFTER UPDATE OF calendar_id, summary, description,"
	"  location, start, \"end\", tzid, all_day, rrule, exdates, attendees, alarms ON events"
	"  WHEN NOT (SELECT applying FROM google_state WHERE id = 1)"
	"  AND (SELECT source FROM calendars WHERE id = NEW.calendar_id) = 'google' BEGIN"
	"  UPDATE events SET remote_id = lower(hex(randomblob(16))), etag = NULL"
	"    WHERE id = NEW.id AND (remote_id IS NULL OR OLD.calendar_id IS NOT NEW.calendar_id);"
	"  INSERT INTO outbox(target, op, entity, entity_id, created_at)"
	"    VALUES ('google', 'put', 'event', NEW.id, CAST(strftime('%s','now') AS INTEGER));"
	"END;"
	"CREATE TRIGGER events_google_moved AFTER UPDATE OF calendar_id ON events"
	"  WHEN NOT (SELECT applying FROM google_state WHERE id = 1)"
	"  AND OLD.calendar_id IS NOT NEW.calendar_id AND OLD.remote_id IS NOT NULL"
	"  AND (SELECT source FROM calendars WHERE id = OLD.calendar_id) = 'google' "
	"BEGIN" GOOGLE_DEL_OLD "  UPDATE events SET remote_id = NULL, etag = NULL WHERE id = NEW.id"
	"    AND (SELECT source FROM calendars WHERE id = NEW.calendar_id) IS NOT 'google';"
	"END;",
	/* 23: an event of a Google calendar deleted here is deleted there
	 * whenever it has a Google id, not only once an etag came back: an
	 * insert may have reached Google with its answer lost (the DELETE
	 * then goes without If-Match; 404 or 410 means done). */
	"DROP TRIGGER events_google_ad;"
	"CREATE TRIGGER events_google_ad AFTER DELETE ON events"
	"  WHEN NOT (SELECT applying FROM google_state WHERE id = 1) AND OLD.remote_id IS NOT NULL"
	"  AND (SELECT source FROM calendars WHERE id = OLD.calendar_id) = 'google' "
	"BEGIN" GOOGLE_DEL_OLD "END;",
	/* 24: reach (10) an ordinary column, written with until (event.c,
	 * event_reach(); replica-apply.c after a pulled change), and deleted
	 * in events_reach: its index then holds every column the agenda's
	 * series read (event_agenda()).  A query that names a generated
	 * column counts every column of the table as read, and deleted was
	 * only in the index's WHERE, so SQLite sought each series' row in the
	 * table though it read nothing there (OP_DeferredSeek); and the
	 * generated column's CASE was parsed at every open of the database.
	 * The classes are those of 10. */
	"DROP INDEX events_reach;"
	"ALTER TABLE events DROP COLUMN reach;"
	"ALTER TABLE events ADD COLUMN reach INTEGER;"
	"UPDATE events SET reach = CASE" REACH_CLASSES
	" WHERE rrule IS NOT NULL AND until IS NOT NULL;"
	"CREATE INDEX events_reach ON events(reach, start, until, \"end\", all_day, calendar_id,"
	"  summary, location, tzid, rrule, exdates, deleted)"
	"  WHERE rrule IS NOT NULL AND deleted = 0 AND until IS NOT NULL;",
	/* 25: a series' reach never too small, whoever writes the row.  24
	 * left reach to nestor's writers; a nestor older than 24 still running
	 * (a daemon through an upgrade) inserts a series with reach NULL, or
	 * moves its until and keeps its class, and the agenda, reading class
	 * by class, would never show it.  These put such a series in class
	 * 15, read by every window (a class larger than needed only costs a
	 * few rows read); the exact class is written when nestor next writes
	 * it.  Only the check is here, not the classes' CASE of 10: a
	 * trigger's SQL is parsed at every open.  The rows an older nestor
	 * wrote since 24 get their class now. */
	"UPDATE events SET reach = CASE" REACH_CLASSES
	" WHERE rrule IS NOT NULL AND until IS NOT NULL"
	" AND (reach IS NULL OR reach NOT BETWEEN 0 AND 15"
	" OR reach < 15 AND until - start > 86400 << reach);"
	"CREATE TRIGGER events_reach_new AFTER INSERT ON events WHEN" REACH_STALE_NEW
	"CREATE TRIGGER events_reach_moved AFTER UPDATE OF start, until, rrule, reach ON events"
	"  WHEN" REACH_STALE_NEW,
	/* 26: the triggers of 13, 22, 23 and 25 written shorter, with the
	 * same effect and in the same order: SQLite parses every trigger at
	 * each open of the database, and these six were a quarter of that
	 * parse (bench/PROFILE.md, thirteenth round). */
	"DROP TRIGGER events_google_ai;"
	"DROP TRIGGER events_google_au;"
	"DROP TRIGGER events_google_moved;"
	"DROP TRIGGER events_google_ad;"
	"DROP TRIGGER events_reach_new;"
	"DROP TRIGGER events_reach_moved;" GOOGLE_AI_26 GOOGLE_AU_26 GOOGLE_MOVED_26 GOOGLE_AD_26
	"CREATE TRIGGER events_reach_new AFTER INSERT ON events WHEN" REACH_STALE_26
	"CREATE TRIGGER events_reach_moved AFTER UPDATE OF start, until, rrule, reach ON events"
	" WHEN" REACH_STALE_26,
	/* 27: what an MCP server is given from the secrets (mcpserver.h):
	 * a JSON array of {"env"|"header": NAME, "secret": SECRET[, "bearer":
	 * true]}, the names only. */
	"ALTER TABLE mcp_servers ADD COLUMN creds TEXT;",
	/* 28: the Telegram date of the update done under an id (its message's
	 * edit date or date, unix seconds; NULL when it had none or an older
	 * nestor did it): an update of that id dated over a day later is one
	 * numbered anew (tgstore_seen_has()), whatever this machine's clock. */
	"ALTER TABLE telegram_seen ADD COLUMN date INTEGER;",
	/* 29: a series' DTSTART as written when its first instant's wall
	 * clock shows another time (event.h, wall_start; NULL otherwise, as
	 * for every row before): a time inside a spring-forward gap.  The
	 * agenda finds the few such series by events_wall, not in the indexes
	 * it reads the others from (event-occ.c, window_refs_load()). */
	"ALTER TABLE events ADD COLUMN wall_start INTEGER;"
	"CREATE INDEX events_wall ON events(id, wall_start) WHERE wall_start IS NOT NULL;",
	/* 30: an occurrence the user declined alone (event.h, struct
	 * event_override, declined): shown, not reminded. */
	"ALTER TABLE event_overrides ADD COLUMN declined INTEGER NOT NULL DEFAULT 0;",
	/* 31: a link code made for a group (`nestor telegram link --group`):
	 * a group's "/start CODE" links only with such a code, since every
	 * member of a linked group reads and changes its user's data. */
	"ALTER TABLE telegram_codes ADD COLUMN for_group INTEGER NOT NULL DEFAULT 0;",
};

const int schema_count = (int)(sizeof(schema_migrations) / sizeof(schema_migrations[0]));

/* One "EXDATE:" or "TRIGGER:" line of a rule of schema 4 into o. */
static void v4_line(cJSON *o, cJSON *ex, const char *line)
{
	if (!strncmp(line, "TRIGGER:", 8)) {
		struct icaldurationtype d = icaldurationtype_from_string(line + 8);

		if (!icaldurationtype_is_bad_duration(d))
			cJSON_AddNumberToObject(o, "run_offset", icaldurationtype_as_int(d));
		icalerror_clear_errno();
		return;
	}
	if (strncmp(line, "EXDATE:", 7))
		return;
	for (const char *p = line + 7; *p;) {
		size_t n = strcspn(p, ",");
		char *tok = xstrndup(p, n);
		struct icaltimetype t = icaltime_from_string(tok);

		if (!icaltime_is_null_time(t) && icaltime_is_utc(t))
			cJSON_AddItemToArray(ex, cJSON_CreateNumber((double)icaltime_as_timet(t)));
		icalerror_clear_errno();
		free(tok);
		p += n + (p[n] == ',');
	}
}

/* nestor_alarm_rule_v4(rule): a job's rule of schema 4, "RRULE\nEXDATE:
 * 20260105T080000Z,...\nTRIGGER:-PT15M", as {"rule", "run_offset",
 * "exdates"}; NULL for a rule of one line. */
static void alarm_rule_v4(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *rule = (const char *)sqlite3_value_text(argv[0]);
	cJSON *o, *ex;
	char *text;

	(void)argc;
	if (!rule || !strchr(rule, '\n')) {
		sqlite3_result_null(ctx);
		return;
	}
	o = cJSON_CreateObject();
	text = xstrndup(rule, strcspn(rule, "\n"));
	cJSON_AddStringToObject(o, "rule", text);
	free(text);
	ex = cJSON_AddArrayToObject(o, "exdates");
	for (const char *l = strchr(rule, '\n'); l && *l;) {
		size_t n;

		l++;
		n = strcspn(l, "\n");
		text = xstrndup(l, n);
		v4_line(o, ex, text);
		free(text);
		l += n;
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	sqlite3_result_text(ctx, text, -1, free);
}

int schema_functions(sqlite3 *db)
{
	return sqlite3_create_function(db, "nestor_alarm_rule_v4", 1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, alarm_rule_v4,
				       NULL, NULL) == SQLITE_OK
		       ? 0
		       : -1;
}
