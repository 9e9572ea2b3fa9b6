#include "tzplace.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

/*
 * Names that are not the city part of a zone id.  '|' separates the
 * spellings; they are normalised like the input, so case, accents and
 * hyphens do not matter.  Russian names come in the cases people type after
 * "в", "во", "из": nominative, prepositional, genitive.
 */
static const struct {
	const char *tz, *names;
} aliases[] = {
	{ "UTC", "utc|gmt|zulu|всемирное время" },
	{ "America/New_York",
	  "nyc|new york city|washington|washington dc|boston|philadelphia|atlanta|miami|"
	  "нью-йорк|нью-йорке|нью-йорка|вашингтон|вашингтоне|бостон|бостоне|майами" },
	{ "America/Chicago", "houston|dallas|austin|minneapolis|чикаго|хьюстон|хьюстоне|"
			     "даллас|далласе" },
	{ "America/Denver", "salt lake city|денвер|денвере" },
	{ "America/Los_Angeles",
	  "la|san francisco|sf|seattle|san diego|las vegas|silicon valley|"
	  "лос-анджелес|лос-анджелесе|лос-анджелеса|сан-франциско|сиэтл|сиэтле" },
	{ "America/Toronto", "montreal|ottawa|торонто|монреаль|монреале" },
	{ "America/Sao_Paulo", "rio|rio de janeiro|brasilia|сан-паулу|рио|рио-де-жанейро" },
	{ "America/Mexico_City", "mexico|мехико" },
	{ "America/Argentina/Buenos_Aires", "буэнос-айрес|буэнос-айресе" },
	{ "Europe/London", "uk|united kingdom|england|great britain|edinburgh|manchester|"
			   "лондон|лондоне|лондона|англия|англии|великобритания|великобритании" },
	{ "Europe/Dublin", "ireland|дублин|дублине" },
	{ "Europe/Paris", "lyon|marseille|nice|париж|париже|парижа|франция|франции" },
	{ "Europe/Berlin",
	  "munich|hamburg|frankfurt|cologne|stuttgart|dusseldorf|"
	  "берлин|берлине|берлина|германия|германии|мюнхен|мюнхене|гамбург|гамбурге|"
	  "франкфурт|франкфурте" },
	{ "Europe/Madrid", "barcelona|valencia|мадрид|мадриде|испания|испании|барселона|"
			   "барселоне" },
	{ "Europe/Rome", "milan|naples|venice|florence|рим|риме|рима|италия|италии|милан|"
			 "милане" },
	{ "Europe/Zurich", "geneva|bern|basel|цюрих|цюрихе|женева|женеве|швейцария|швейцарии" },
	{ "Europe/Amsterdam", "rotterdam|the hague|амстердам|амстердаме|нидерланды|нидерландах" },
	{ "Europe/Vienna", "вена|вене|австрия|австрии" },
	{ "Europe/Prague", "прага|праге|чехия|чехии" },
	{ "Europe/Warsaw", "krakow|варшава|варшаве|польша|польше" },
	{ "Europe/Helsinki", "хельсинки|финляндия|финляндии" },
	{ "Europe/Stockholm", "стокгольм|стокгольме" },
	{ "Europe/Riga", "рига|риге" },
	{ "Europe/Vilnius", "вильнюс|вильнюсе" },
	{ "Europe/Tallinn", "таллин|таллине|таллинн|таллинне" },
	{ "Europe/Minsk", "минск|минске|беларусь|белоруссии" },
	{ "Europe/Kyiv", "kiev|odessa|kharkiv|lviv|киев|киеве|киева|київ|києві|украина|"
			 "украине|одесса|одессе|харьков|харькове|львов|львове" },
	{ "Europe/Istanbul", "ankara|стамбул|стамбуле|анкара|анкаре|турция|турции" },
	{ "Europe/Athens", "афины|афинах|греция|греции" },
	{ "Europe/Kaliningrad", "калининград|калининграде" },
	{ "Europe/Moscow",
	  "moscow|st petersburg|saint petersburg|petersburg|kazan|sochi|nizhny novgorod|"
	  "москва|москве|москвы|москву|мск|московском|московское|московскому|"
	  "санкт-петербург|санкт-петербурге|санкт-петербурга|петербург|петербурге|"
	  "петербурга|питер|питере|спб|казань|казани|сочи|нижний новгород|нижнем новгороде|"
	  "воронеж|воронеже|ростов|ростове|ростов-на-дону|ростове-на-дону|краснодар|"
	  "краснодаре|ярославль|ярославле|мурманск|мурманске|архангельск|архангельске" },
	{ "Europe/Samara", "самара|самаре|ижевск|ижевске" },
	{ "Europe/Volgograd", "волгоград|волгограде" },
	{ "Asia/Yekaterinburg", "ufa|perm|chelyabinsk|екатеринбург|екатеринбурге|уфа|уфе|"
				"пермь|перми|челябинск|челябинске|тюмень|тюмени" },
	{ "Asia/Omsk", "омск|омске" },
	{ "Asia/Novosibirsk", "новосибирск|новосибирске" },
	{ "Asia/Krasnoyarsk", "красноярск|красноярске" },
	{ "Asia/Irkutsk", "иркутск|иркутске" },
	{ "Asia/Yakutsk", "якутск|якутске" },
	{ "Asia/Vladivostok", "владивосток|владивостоке|хабаровск|хабаровске" },
	{ "Asia/Tbilisi", "тбилиси|грузия|грузии" },
	{ "Asia/Yerevan", "ереван|ереване|армения|армении" },
	{ "Asia/Baku", "баку|азербайджан|азербайджане" },
	{ "Asia/Almaty", "алматы|алма-ата|алма-ате" },
	{ "Asia/Tashkent", "ташкент|ташкенте|узбекистан|узбекистане" },
	{ "Asia/Dubai", "abu dhabi|uae|дубай|дубае|абу-даби|оаэ|эмираты|эмиратах" },
	{ "Asia/Jerusalem", "tel aviv|israel|тель-авив|тель-авиве|иерусалим|иерусалиме|"
			    "израиль|израиле" },
	{ "Asia/Kolkata", "india|mumbai|bombay|delhi|new delhi|bangalore|bengaluru|chennai|"
			  "hyderabad|дели|нью-дели|мумбаи|индия|индии" },
	{ "Asia/Bangkok", "бангкок|бангкоке|таиланд|таиланде|пхукет|пхукете" },
	{ "Asia/Singapore", "сингапур|сингапуре" },
	{ "Asia/Shanghai", "china|beijing|peking|shenzhen|guangzhou|пекин|пекине|шанхай|"
			   "шанхае|китай|китае" },
	{ "Asia/Hong_Kong", "гонконг|гонконге" },
	{ "Asia/Seoul", "south korea|korea|busan|сеул|сеуле|корея|корее" },
	{ "Asia/Tokyo", "osaka|kyoto|yokohama|токио|осака|осаке|киото|япония|японии" },
	{ "Australia/Sydney", "canberra|сидней|сиднее" },
	{ "Australia/Melbourne", "мельбурн|мельбурне" },
	{ "Pacific/Auckland", "new zealand|wellington|окленд|окленде" },
	{ "Africa/Cairo", "egypt|каир|каире|египет|египте" },
};

static const char *zonedir(void)
{
	const char *d = getenv("TZDIR");

	return d && *d ? d : "/usr/share/zoneinfo";
}

/*
 * The form places are compared in: case-folded, accents dropped, every run
 * of '_', '-', '.', ',' and spaces one space, trimmed.  NULL for bad UTF-8.
 */
static char *normalize(const char *s)
{
	GString *out;
	char *fold, *nfd;
	const char *p;
	int space = 0;

	if (!g_utf8_validate(s, -1, NULL))
		return NULL;
	fold = g_utf8_casefold(s, -1);
	nfd = g_utf8_normalize(fold, -1, G_NORMALIZE_NFD);
	g_free(fold);
	if (!nfd)
		return NULL;
	out = g_string_new(NULL);
	for (p = nfd; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_ismark(c) || c == '\'' || c == 0x2019)
			continue;
		if (g_unichar_isspace(c) || c == '_' || c == '-' || c == '.' || c == ',' ||
		    c == 0x2013 || c == 0x2014) {
			space = out->len > 0;
			continue;
		}
		if (space)
			g_string_append_c(out, ' ');
		space = 0;
		g_string_append_unichar(out, c);
	}
	g_free(nfd);
	return g_string_free(out, FALSE);
}

static int copy_out(const char *tz, char *tzid, size_t len, struct err *e)
{
	if (strlen(tz) >= len)
		return err_set(e, ERR_FAIL, "time zone id '%s' too long", tz);
	memcpy(tzid, tz, strlen(tz) + 1);
	return 0;
}

int tzplace_valid(const char *tzid)
{
	GTimeZone *tz;
	const char *p;
	char *path;
	struct stat st;
	int ok;

	if (!tzid || !*tzid || tzid[0] == '/' || strstr(tzid, ".."))
		return 0;
	for (p = tzid; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("/_+-", *p))
			return 0;
	path = xasprintf("%s/%s", zonedir(), tzid);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	if (!ok)
		return 0;
	tz = g_time_zone_new_identifier(tzid);
	if (!tz)
		return 0;
	g_time_zone_unref(tz);
	return 1;
}

static int match_alias(const char *want, char **tz)
{
	size_t i;
	int hit = 0;

	for (i = 0; i < G_N_ELEMENTS(aliases) && !hit; i++) {
		char **names = g_strsplit(aliases[i].names, "|", -1), **n;

		for (n = names; *n && !hit; n++) {
			char *norm = normalize(*n);

			hit = norm && !strcmp(norm, want);
			g_free(norm);
		}
		g_strfreev(names);
		if (hit)
			*tz = g_strdup(aliases[i].tz);
	}
	return hit;
}

/* Split a zone table line into its tab-separated fields (in place). */
static int tab_fields(char *line, char **f, int max)
{
	int n = 0;
	char *save = NULL, *tok;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '#' || !line[0])
		return 0;
	for (tok = strtok_r(line, "\t", &save); tok && n < max; tok = strtok_r(NULL, "\t", &save))
		f[n++] = tok;
	return n;
}

/* A zone in file (zone1970.tab or zone.tab) whose id or city part is want. */
static int match_zone_file(const char *file, const char *want, char **tz)
{
	char *path = xasprintf("%s/%s", zonedir(), file), line[512], *f[4];
	FILE *fp = fopen(path, "r");
	int hit = 0;

	free(path);
	if (!fp)
		return 0;
	while (!hit && fgets(line, sizeof(line), fp)) {
		const char *city;
		char *nid, *ncity;

		if (tab_fields(line, f, 4) < 3)
			continue;
		city = strrchr(f[2], '/');
		city = city ? city + 1 : f[2];
		nid = normalize(f[2]);
		ncity = normalize(city);
		hit = (nid && !strcmp(nid, want)) || (ncity && !strcmp(ncity, want));
		if (hit)
			*tz = g_strdup(f[2]);
		g_free(nid);
		g_free(ncity);
	}
	fclose(fp);
	return hit;
}

/* A country's code from iso3166.tab, matching "Britain (UK)" as "britain", "uk" too. */
static int country_code(const char *want, char code[3])
{
	char *path = xasprintf("%s/iso3166.tab", zonedir()), line[256], *f[2];
	FILE *fp = fopen(path, "r");
	int hit = 0;

	free(path);
	if (!fp)
		return 0;
	while (!hit && fgets(line, sizeof(line), fp)) {
		char *paren, *norm, *inner = NULL;

		if (tab_fields(line, f, 2) < 2 || strlen(f[0]) != 2)
			continue;
		norm = normalize(f[1]);
		hit = norm && !strcmp(norm, want);
		g_free(norm);
		if (!hit && (paren = strchr(f[1], '('))) {
			inner = g_strndup(paren + 1, strcspn(paren + 1, ")"));
			*paren = '\0';
			norm = normalize(f[1]);
			hit = norm && !strcmp(norm, want);
			g_free(norm);
			norm = normalize(inner);
			hit = hit || (norm && !strcmp(norm, want));
			g_free(norm);
			g_free(inner);
		}
		if (hit)
			memcpy(code, f[0], 3);
	}
	fclose(fp);
	return hit;
}

/* The zone of a country: its only one in zone.tab, or the "most of" one.  -1: several. */
static int country_zone(const char *code, char **tz)
{
	char *path = xasprintf("%s/zone.tab", zonedir()), line[512], *f[4];
	char *only = NULL, *most = NULL;
	FILE *fp = fopen(path, "r");
	int n = 0, fields;

	free(path);
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		if ((fields = tab_fields(line, f, 4)) < 3 || strcmp(f[0], code))
			continue;
		if (n++ == 0)
			only = g_strdup(f[2]);
		if (!most && fields == 4 && !strncmp(f[3], "most", 4))
			most = g_strdup(f[2]);
	}
	fclose(fp);
	if (n == 1 || most) {
		*tz = n == 1 ? only : most;
		g_free(n == 1 ? most : only);
		return 1;
	}
	g_free(only);
	return n ? -1 : 0;
}

/* Drop a leading preposition: "in tokyo", "в москве", "во владивостоке". */
static const char *skip_preposition(const char *s)
{
	static const char *const pre[] = { "in ", "at ", "в ", "во " };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(pre); i++)
		if (!strncmp(s, pre[i], strlen(pre[i])) && s[strlen(pre[i])])
			return s + strlen(pre[i]);
	return s;
}

static int is_code(const char *s)
{
	return g_ascii_isalpha(s[0]) && g_ascii_isalpha(s[1]) && !s[2];
}

int tzplace_resolve(const char *place, char *tzid, size_t len, struct err *e)
{
	char *norm, *tz = NULL, code[3] = "";
	const char *want;
	int ret, c;

	if (!place || !*place)
		return err_set(e, ERR_USAGE, "no place given");
	/* "Europe/Berlin", "UTC"; legacy ids like "Japan" only after the names. */
	if ((strchr(place, '/') || !strcmp(place, "UTC")) && tzplace_valid(place))
		return copy_out(place, tzid, len, e);
	if (!(norm = normalize(place)))
		return err_set(e, ERR_USAGE, "place name is not valid UTF-8");
	want = skip_preposition(norm);
	if (match_alias(want, &tz) || match_zone_file("zone1970.tab", want, &tz) ||
	    match_zone_file("zone.tab", want, &tz)) {
		ret = copy_out(tz, tzid, len, e);
	} else if (is_code(want) || country_code(want, code)) {
		if (!code[0]) {
			code[0] = g_ascii_toupper(want[0]);
			code[1] = g_ascii_toupper(want[1]);
			code[2] = '\0';
		}
		c = country_zone(code, &tz);
		if (c > 0)
			ret = copy_out(tz, tzid, len, e);
		else if (c < 0)
			ret = err_set(e, ERR_USAGE, "'%s' has several time zones; name a city",
				      place);
		else
			ret = err_set(e, ERR_NOTFOUND, "no time zone known for '%s'", place);
	} else if (tzplace_valid(place)) {
		ret = copy_out(place, tzid, len, e);
	} else {
		ret = err_set(e, ERR_NOTFOUND, "no time zone known for '%s'", place);
	}
	g_free(tz);
	g_free(norm);
	return ret;
}

static GDateTime *local_time(const char *tzid, time_t t)
{
	GTimeZone *tz;
	GDateTime *utc, *loc;

	if (!tzplace_valid(tzid) || !(tz = g_time_zone_new_identifier(tzid)))
		return NULL;
	utc = g_date_time_new_from_unix_utc((gint64)t);
	loc = utc ? g_date_time_to_timezone(utc, tz) : NULL;
	if (utc)
		g_date_time_unref(utc);
	g_time_zone_unref(tz);
	return loc;
}

int tzplace_format(const char *tzid, time_t t, const char *fmt, char *buf, size_t len)
{
	GDateTime *dt = local_time(tzid, t);
	char *s;
	int ret = -1;

	if (!dt)
		return -1;
	s = g_date_time_format(dt, fmt);
	if (s && strlen(s) < len) {
		memcpy(buf, s, strlen(s) + 1);
		ret = 0;
	}
	g_free(s);
	g_date_time_unref(dt);
	return ret;
}

int tzplace_now(const char *tzid, time_t now, char *buf, size_t len)
{
	return tzplace_format(tzid, now, "%Y-%m-%d %H:%M %Z (UTC%:z)", buf, len);
}

int tzplace_iso(const char *tzid, time_t t, char *buf, size_t len)
{
	return tzplace_format(tzid, t, "%Y-%m-%dT%H:%M:%S%:z", buf, len);
}

/* "15:00", "9:30", "15" -> hour and minute. */
static int parse_hhmm(const char *s, int *h, int *m)
{
	char *end;
	long hh, mm = 0;

	if (!g_ascii_isdigit(s[0]))
		return -1;
	hh = strtol(s, &end, 10);
	if (end - s > 2)
		return -1;
	if (*end == ':') {
		s = end + 1;
		if (!g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]) || s[2])
			return -1;
		mm = (s[0] - '0') * 10 + (s[1] - '0');
	} else if (*end) {
		return -1;
	}
	if (hh > 23 || mm > 59)
		return -1;
	*h = (int)hh;
	*m = (int)mm;
	return 0;
}

int tzplace_convert(const char *hhmm, const char *from_tz, const char *to_tz, time_t now,
		    time_t *out, struct err *e)
{
	GDateTime *today, *at;
	GTimeZone *tz;
	int h, m;

	if (!hhmm || parse_hhmm(hhmm, &h, &m) < 0)
		return err_set(e, ERR_USAGE, "bad time '%s' (want HH:MM)", hhmm ? hhmm : "");
	if (!tzplace_valid(from_tz))
		return err_set(e, ERR_USAGE, "unknown time zone '%s'", from_tz ? from_tz : "");
	if (!tzplace_valid(to_tz))
		return err_set(e, ERR_USAGE, "unknown time zone '%s'", to_tz ? to_tz : "");
	if (!(today = local_time(from_tz, now)))
		return err_set(e, ERR_FAIL, "cannot compute the date in '%s'", from_tz);
	tz = g_time_zone_new_identifier(from_tz);
	at = tz ? g_date_time_new(tz, g_date_time_get_year(today), g_date_time_get_month(today),
				  g_date_time_get_day_of_month(today), h, m, 0) : NULL;
	g_date_time_unref(today);
	if (tz)
		g_time_zone_unref(tz);
	if (!at)
		return err_set(e, ERR_FAIL, "cannot compute %s in '%s'", hhmm, from_tz);
	*out = (time_t)g_date_time_to_unix(at);
	g_date_time_unref(at);
	return 0;
}
