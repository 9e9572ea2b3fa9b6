/*
 * schema-sync.h - migration 8 (the server profile) and its capture
 * triggers, spelled by macros so the column list of each synced table is
 * written once.  SYNC_MIGRATION is part of a released migration: never edit
 * it.  SYNC_TRIGGERS is made by replica_enable() for its version
 * (REPLICA_CAPTURE in replica.c, kept in sync_self.capture): a change to
 * it is a new version there, and upgrade_capture() brings older stores to it.
 *
 * Each synced table gets a gid (a UUID).  Once replica_enable() made them,
 * three triggers per table, while sync_self.capture is on and
 * sync_self.applying is off, put one outbox row
 * per change in the same transaction as the change: op "put" with the
 * names of the fields that changed ("f"), or op "del", and the change's
 * version (outbox.ver): the hybrid logical clock ticked (sync_self.hlc:
 * milliseconds << 16 plus a counter) and the device, "%016x@DEVICE".
 * An assistant's key_secret is not among its synced columns: which secret
 * it sends is each device's own choice (replica-apply.c).
 * replica.c folds those versions into sync_obj (vers, and base: the version
 * each field had before, what this device had seen) before it reads or
 * merges anything: the triggers stay small, and a statement that writes a
 * synced table costs little more to prepare.  A job's
 * claim (state running) is the scheduler's own business and is not a
 * change.  An event's overrides travel as its field "overrides".
 */
#ifndef NESTOR_SCHEMA_SYNC_H
#define NESTOR_SCHEMA_SYNC_H

#define SQ_NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
#define SQ_NOW_S  "CAST(strftime('%s','now') AS INTEGER)"
#define SQ_UUID                                                                                    \
	"lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||"                         \
	" substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (random() & 3), 1) ||"        \
	" substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
#define SQ_CAPTURING "(SELECT capture AND NOT applying FROM sync_self WHERE id = 1)"

#define SQ_NAME(c)    "'" #c "'"
#define SQ_CHANGED(c) "iif(OLD." #c " IS NOT NEW." #c ", '" #c "', NULL)"
#define SQ_DIFF(c)    "OLD." #c " IS NOT NEW." #c
#define SQ_COMMA      ", "
#define SQ_OR	      " OR "
/* A change ticks the clock and takes the new version; the clock stays an
 * INTEGER (hlc + 1 at 2^63 - 1 would make it a REAL). */
#define SQ_HLC_MAX "9223372036854775806"
#define SQ_TICK                                                                                    \
	"UPDATE sync_self SET hlc = max(min(hlc, " SQ_HLC_MAX ") + 1, " SQ_NOW_MS " << 16)"        \
	" WHERE id = 1;"
#define SQ_VER	  "(SELECT printf('%016x@%s', hlc, device) FROM sync_self WHERE id = 1)"
#define SQ_OUTBOX "INSERT INTO outbox(target, op, entity, entity_id, payload, created_at, ver) "

/* The latest clock this device takes from a version: a day past its own
 * time.  One beyond it (another device's clock runs ahead, or a forged
 * version) is merged but not followed, and a clock past it (an older
 * version followed one) comes back to it (a write only then: a push with
 * nothing to send stays a read, which wakes no watcher). */
#define SQ_HLC_LIMIT "((" SQ_NOW_MS " + 86400000) << 16)"
#define SQ_HLC_HEAL                                                                                \
	"UPDATE sync_self SET hlc = " SQ_HLC_LIMIT " WHERE id = 1 AND hlc > " SQ_HLC_LIMIT ";"

#define SQ_TRIGGERS(table, entity, COLS, extra, when)                                              \
	"CREATE TRIGGER " table "_sync_ai AFTER INSERT ON " table " WHEN " SQ_CAPTURING            \
	" BEGIN " SQ_TICK "UPDATE " table " SET gid = " SQ_UUID                                    \
	" WHERE id = NEW.id AND gid IS NULL;" SQ_OUTBOX "VALUES ('postgres', 'put', '" entity      \
	"', NEW.id, json_object('gid', (SELECT gid FROM " table " WHERE id = NEW.id),"             \
	" 'f', json_array(" COLS(SQ_NAME, SQ_COMMA) extra                                          \
		")), " SQ_NOW_S ", " SQ_VER "); END;"                                              \
		"CREATE TRIGGER " table "_sync_au AFTER UPDATE ON " table " WHEN " SQ_CAPTURING    \
		" AND NEW.gid IS NOT NULL AND (" COLS(                                             \
			SQ_DIFF,                                                                   \
			SQ_OR) ")" when " BEGIN " SQ_TICK SQ_OUTBOX                                \
			       "VALUES ('postgres', 'put', '" entity                               \
			       "', NEW.id, json_object('gid',"                                     \
			       " NEW.gid, 'f', json_array(" COLS(                                  \
				       SQ_CHANGED,                                                 \
				       SQ_COMMA) ")), " SQ_NOW_S ", " SQ_VER "); END;"             \
						 "CREATE TRIGGER " table                           \
						 "_sync_ad AFTER DELETE ON " table                 \
						 " WHEN " SQ_CAPTURING                             \
						 " AND OLD.gid IS NOT NULL BEGIN " SQ_TICK         \
							 SQ_OUTBOX                                 \
						 "VALUES ('postgres', 'del', '" entity             \
						 "', OLD.id, json_object('gid', "                  \
						 "OLD.gid), " SQ_NOW_S ", " SQ_VER "); END;"

#define SQ_GID_INDEX(table) "CREATE UNIQUE INDEX " table "_gid ON " table "(gid);"

/* The synced columns of each table (replica.c has the same lists, and
 * check_replica proves they agree). */
#define SQ_USER_COLS(X, S)                                                                         \
	X(name) S X(tz)                                                                            \
	S X(locale)                                                                                \
	S X(telegram_chat_id)                                                                      \
	S X(settings)
#define SQ_CALENDAR_COLS(X, S) X(name) S X(source)
#define SQ_ASSISTANT_COLS(X, S)                                                                    \
	X(name) S X(backend)                                                                       \
	S X(base_url)                                                                              \
	S X(model)                                                                                 \
	S X(system_prompt)                                                                         \
	S X(temperature)                                                                           \
	S X(tools)                                                                                 \
	S X(token_budget)                                                                          \
	S X(is_default)                                                                            \
	S X(created_at)                                                                            \
	S X(max_tokens)
#define SQ_CONVERSATION_COLS(X, S)                                                                 \
	X(user_id) S X(assistant_id)                                                               \
	S X(channel)                                                                               \
	S X(title)                                                                                 \
	S X(created_at)                                                                            \
	S X(updated_at)
#define SQ_MESSAGE_COLS(X, S)                                                                      \
	X(conversation_id) S X(role)                                                               \
	S X(content)                                                                               \
	S X(tool_calls)                                                                            \
	S X(tool_call_id)                                                                          \
	S X(state)                                                                                 \
	S X(created_at)                                                                            \
	S X(prompt_tokens)                                                                         \
	S X(completion_tokens)                                                                     \
	S X(reasoning)
#define SQ_EVENT_COLS(X, S)                                                                        \
	X(calendar_id) S X(uid)                                                                    \
	S X(summary)                                                                               \
	S X(description)                                                                           \
	S X(location)                                                                              \
	S X(start)                                                                                 \
	S X(end)                                                                                   \
	S X(tzid)                                                                                  \
	S X(all_day)                                                                               \
	S X(rrule)                                                                                 \
	S X(exdates)                                                                               \
	S X(attendees)                                                                             \
	S X(alarms)                                                                                \
	S X(until)                                                                                 \
	S X(updated_at)                                                                            \
	S X(wall_start)
#define SQ_TASK_COLS(X, S)                                                                         \
	X(user_id) S X(title)                                                                      \
	S X(notes)                                                                                 \
	S X(priority)                                                                              \
	S X(due)                                                                                   \
	S X(status)                                                                                \
	S X(created_at)                                                                            \
	S X(done_at)                                                                               \
	S X(due_date_only)                                                                         \
	S X(uid)
#define SQ_JOB_COLS(X, S)                                                                          \
	X(kind) S X(user_id)                                                                       \
	S X(payload)                                                                               \
	S X(schedule)                                                                              \
	S X(rule)                                                                                  \
	S X(tzid)                                                                                  \
	S X(dtstart)                                                                               \
	S X(next_run)                                                                              \
	S X(occurrence)                                                                            \
	S X(state)                                                                                 \
	S X(created_at)                                                                            \
	S X(event_id)                                                                              \
	S X(run_offset)                                                                            \
	S X(exdates)

/* A change of an override is a change of its event's field "overrides". */
#define SQ_OVERRIDE_TRIGGER(suffix, what, row)                                                     \
	"CREATE TRIGGER event_overrides_sync_a" suffix " AFTER " what " ON event_overrides"        \
	" WHEN " SQ_CAPTURING " BEGIN " SQ_TICK SQ_OUTBOX "SELECT 'postgres', 'put',"              \
	" 'event', id, json_object('gid', gid, 'f', json_array('overrides')), " SQ_NOW_S           \
	", " SQ_VER " FROM events WHERE id = " row ".event_id AND gid IS NOT NULL; END;"

#define SYNC_MIGRATION                                                                             \
	"ALTER TABLE users ADD COLUMN gid TEXT;"                                                   \
	"ALTER TABLE calendars ADD COLUMN gid TEXT;"                                               \
	"ALTER TABLE assistants ADD COLUMN gid TEXT;"                                              \
	"ALTER TABLE conversations ADD COLUMN gid TEXT;"                                           \
	"ALTER TABLE messages ADD COLUMN gid TEXT;"                                                \
	"ALTER TABLE events ADD COLUMN gid TEXT;"                                                  \
	"ALTER TABLE tasks ADD COLUMN gid TEXT;"                                                   \
	"ALTER TABLE jobs ADD COLUMN gid TEXT;"                                                    \
	"UPDATE users SET gid = '00000000-0000-4000-8000-000000000001' WHERE id = 1;"              \
	"UPDATE calendars SET gid = '00000000-0000-4000-8000-000000000002'"                        \
	"  WHERE id = 1 AND name = 'personal';"                                                    \
	"UPDATE assistants SET gid = '00000000-0000-4000-8000-000000000003'"                       \
	"  WHERE id = 1 AND name = 'nestor';"                                                      \
	"CREATE UNIQUE INDEX users_name ON users(name);" SQ_GID_INDEX("users") SQ_GID_INDEX(       \
		"calendars") SQ_GID_INDEX("assistants") SQ_GID_INDEX("conversations")              \
		SQ_GID_INDEX("messages") SQ_GID_INDEX("events") SQ_GID_INDEX("tasks")              \
			SQ_GID_INDEX(                                                              \
				"jobs") "ALTER TABLE outbox ADD COLUMN created_at INTEGER;"        \
					"ALTER TABLE outbox ADD COLUMN ver TEXT;"                  \
					"ALTER TABLE outbox ADD COLUMN folded INTEGER NOT NULL "   \
					"DEFAULT 0;"                                               \
					"ALTER TABLE sync_state ADD COLUMN last_ok INTEGER;"       \
					"ALTER TABLE sync_state ADD COLUMN last_error TEXT;"       \
					"ALTER TABLE sync_state ADD COLUMN last_error_at INTEGER;" \
					"ALTER TABLE sync_state ADD COLUMN pushed INTEGER NOT "    \
					"NULL DEFAULT 0;"                                          \
					"ALTER TABLE sync_state ADD COLUMN pulled INTEGER NOT "    \
					"NULL DEFAULT 0;"                                          \
					"CREATE TABLE sync_self ("                                 \
					"  id INTEGER PRIMARY KEY CHECK (id = 1),"                 \
					"  device TEXT NOT NULL,"                                  \
					"  hlc INTEGER NOT NULL DEFAULT 0,"                        \
					"  capture INTEGER NOT NULL DEFAULT 0,"                    \
					"  applying INTEGER NOT NULL DEFAULT 0"                    \
					");"                                                       \
					"INSERT INTO sync_self(id, device) VALUES (1, "            \
					"lower(hex(randomblob(8))));"                              \
					"CREATE TABLE sync_obj ("                                  \
					"  gid TEXT PRIMARY KEY,"                                  \
					"  entity TEXT NOT NULL,"                                  \
					"  vers TEXT NOT NULL DEFAULT '{}',"                       \
					"  base TEXT NOT NULL DEFAULT '{}',"                       \
					"  deleted INTEGER NOT NULL DEFAULT 0"                     \
					") WITHOUT ROWID;"                                         \
					"CREATE TABLE sync_alias ("                                \
					"  gid TEXT PRIMARY KEY,"                                  \
					"  canon TEXT NOT NULL"                                    \
					") WITHOUT ROWID;"                                         \
					"CREATE TABLE sync_conflicts ("                            \
					"  id INTEGER PRIMARY KEY,"                                \
					"  at INTEGER NOT NULL,"                                   \
					"  entity TEXT NOT NULL,"                                  \
					"  gid TEXT NOT NULL,"                                     \
					"  field TEXT NOT NULL,"                                   \
					"  mine TEXT,"                                             \
					"  theirs TEXT,"                                           \
					"  my_ver TEXT,"                                           \
					"  their_ver TEXT,"                                        \
					"  device TEXT"                                            \
					");"

/* The capture triggers: created by replica_enable() (the first sync), not
 * by the migration, so a store that never syncs compiles none of them into
 * its writes. */
#define SYNC_TRIGGERS                                                                              \
	SQ_TRIGGERS("users", "user", SQ_USER_COLS, "", "")                                         \
	SQ_TRIGGERS("calendars", "calendar", SQ_CALENDAR_COLS, "", "")                             \
	SQ_TRIGGERS("assistants", "assistant", SQ_ASSISTANT_COLS, "", "")                          \
	SQ_TRIGGERS("conversations", "conversation", SQ_CONVERSATION_COLS, "", "")                 \
	SQ_TRIGGERS("messages", "message", SQ_MESSAGE_COLS, "", "")                                \
	SQ_TRIGGERS("events", "event", SQ_EVENT_COLS, ", 'overrides'", "")                         \
	SQ_TRIGGERS("tasks", "task", SQ_TASK_COLS, "", "")                                         \
	SQ_TRIGGERS("jobs", "job", SQ_JOB_COLS, "", " AND NEW.state IS NOT 'running'")             \
	SQ_OVERRIDE_TRIGGER("i", "INSERT", "NEW")                                                  \
	SQ_OVERRIDE_TRIGGER("u", "UPDATE", "NEW")                                                  \
	SQ_OVERRIDE_TRIGGER("d", "DELETE", "OLD")

#endif
