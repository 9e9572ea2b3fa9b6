/*
 * ical-int.h - the iCalendar reader the import streams through
 * (storage/ical-read.c): what ical.c needs of it, nobody else.
 *
 * The reader takes a FILE line by line, unfolds the content lines, checks
 * the structure (NAME[;params]:value lines, BEGIN/END balanced, everything
 * inside a VCALENDAR) and hands over one component at a time: each direct
 * child of a VCALENDAR (a VEVENT, a VTIMEZONE...) as the text of its own
 * unfolded lines with their line numbers, so memory does not grow with the
 * file.
 *
 *	struct ical_reader r;
 *
 *	ical_reader_init(&r, file);
 *	while ((k = ical_reader_next(&r, &err)) > 0)
 *		if (k == ICAL_READ_PART)
 *			comp = icalparser_parse_string(r.part.text.buf); ...
 *	ical_reader_release(&r);	// k < 0: err says "line 7: ..."
 */
#ifndef NESTOR_ICAL_INT_H
#define NESTOR_ICAL_INT_H

#include <stdio.h>

#include "err.h"
#include "sbuf.h"

/* A logical (unfolded) content line of a part. */
struct ical_line {
	int no;		 /* the file's line number where it starts */
	size_t off, len; /* its text in the part, without CRLF */
	char name[24];	 /* the property name ("DTSTART", "BEGIN") */
};

/* A component directly inside a VCALENDAR, or a calendar's own lines. */
struct ical_part {
	char kind[24];	  /* "VEVENT"; "VCALENDAR" for the calendar's lines */
	struct sbuf text; /* BEGIN:... to END:..., each line ending in CRLF */
	struct ical_line *lines;
	size_t nlines, cap;
};

void ical_part_init(struct ical_part *p);
void ical_part_release(struct ical_part *p);
/* A copy of src into dst (initialised by the call). */
void ical_part_copy(struct ical_part *dst, const struct ical_part *src);
/* The line number of property name (whose line contains value, if given)
 * in p; p's first line when there is none. */
int ical_part_line(const struct ical_part *p, const char *name, const char *value);

enum ical_read {
	ICAL_READ_END = 0,  /* the input is over */
	ICAL_READ_PART,	    /* r.part holds a component of the calendar */
	ICAL_READ_CALENDAR, /* a VCALENDAR ended: r.part holds its own lines */
};

struct ical_reader {
	FILE *f;
	struct ical_part part;
	size_t bytes; /* read so far */
	/* private */
	struct ical_part cal; /* the current calendar's own lines */
	struct sbuf line, ahead;
	char *buf; /* getline()'s */
	size_t cap;
	int no, ahead_no, next_no;
	int have_ahead, done;
	int depth, ncals;
	struct {
		char kind[24];
		int no;
	} stack[16];
};

void ical_reader_init(struct ical_reader *r, FILE *f);
void ical_reader_release(struct ical_reader *r);
/* The next part (see enum ical_read), or -1 with e filled: a line that is
 * not iCalendar, BEGIN/END out of step, no VCALENDAR, a read error. */
int ical_reader_next(struct ical_reader *r, struct err *e);

#endif
