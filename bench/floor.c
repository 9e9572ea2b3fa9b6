/* The floor under nestor's figures in bench/calendar.sh: what any C program
 * pays on this machine.  With no argument it prints a line and exits (the
 * cost of a process); with a database it opens it as nestor does (SQLite
 * linked statically, read-only) and counts its schema's objects, which makes
 * SQLite read and parse the whole schema: the least any program that reads
 * this store must do before its first row. */
#include <sqlite3.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	if (argc < 2)
		return puts("floor") < 0;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) !=
		    SQLITE_OK) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], sqlite3_errmsg(db));
		return 1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	printf("%d\n", n);
	return n < 0;
}
