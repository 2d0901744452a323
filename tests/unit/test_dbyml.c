/*
 * Unit tests for src/dbyml.c: one environment's connection settings from
 * Rails' config/database.yml. The files are the ones `rails new
 * --database=postgresql` and `--database=mysql` generate (trimmed of
 * comments only), plus the hand edits people make: DATABASE_HOST-style
 * ERB, url:, a multi-database "primary:" level, quoted values, CRLF.
 * The environment is a table passed through the callback; hostile input
 * ends at a guard page.
 */
#include <sys/mman.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "guard.h"

#include "dbyml.h"
#include "util.h"

/* NULL-terminated name, value pairs. */
static const char *
tenv(const char *name, void *arg)
{
	const char *const *kv = arg;

	for (; kv != NULL && kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

static const char rails_pg[] =
"# PostgreSQL. Versions 9.3 and up are supported.\n"
"default: &default\n"
"  adapter: postgresql\n"
"  encoding: unicode\n"
"  # https://guides.rubyonrails.org/configuring.html#database-pooling\n"
"  pool: <%= ENV.fetch(\"RAILS_MAX_THREADS\") { 5 } %>\n"
"\n"
"development:\n"
"  <<: *default\n"
"  database: myapp_development\n"
"  #username: myapp\n"
"  #host: localhost\n"
"  #port: 5432\n"
"\n"
"test:\n"
"  <<: *default\n"
"  database: myapp_test\n"
"\n"
"production:\n"
"  <<: *default\n"
"  database: myapp_production\n"
"  username: myapp\n"
"  password: <%= ENV[\"MYAPP_DATABASE_PASSWORD\"] %>\n";

static const char erb_yml[] =
"default: &default\r\n"
"  adapter: postgresql\r\n"
"  host: <%= ENV[\"DATABASE_HOST\"] %>\r\n"
"  port: <%= ENV.fetch(\"DATABASE_PORT\") { 5433 } %>\r\n"
"  username: <%= ENV.fetch('DB_USER', \"rails\") %>\r\n"
"  database: <%= ENV['DB_NAME'] || 'app_dev' %>  # a comment\r\n"
"development:\r\n"
"  <<: *default\r\n"
"  socket: \"/tmp/my \\\"sock\\\"\"\r\n"
"test:\r\n"
"  host: '/it''s'\r\n"
"  <<: *default\r\n";

static const char multi[] =
"default: &default\n"
"  adapter: postgresql\n"
"  host: /var/run/postgresql\n"
"development:\n"
"  primary:\n"
"    <<: *default\n"
"    database: app\n"
"    port: 5435\n"
"  cache:\n"
"    <<: *default\n"
"    database: app_cache\n"
"production:\n"
"  cache:\n"
"    <<: *default\n"
"    database: c\n"
"  url: <%= ENV[\"DATABASE_URL\"] %>\n";

static const char erb_fetch[] = "development:\n  host: <%= ENV.fetch("
    "\"NOPE\") %>\n";
static const char erb_open[] = "development:\n  host: <%= ENV[\"X\"]\n";
static const char erb_odd[] = "development:\n  adapter: postgresql\n"
    "  host: <%= Rails.root.join('tmp') %>\n<% if true %>\n"
    "  port: <%# nothing %>5434\n";

static const char *erb_set[] = { "DATABASE_HOST", "/run/pg",
    "DATABASE_PORT", "6000", "DB_USER", "u", "DB_NAME", "n", NULL };
static const char *multi_set[] = { "DATABASE_URL", "postgres://x/y", NULL };

/* The block env of yml, read with the environment set: dbyml_parse
 * returns rc, with err holding the text err on -1, and the settings that
 * are not NULL here. */
struct parse_case {
	const char	*yml, *env;
	const char	**set;
	int		 rc;
	const char	*err;
	const char	*adapter, *host, *port, *socket, *database, *username,
			*url, *block, *erb_unknown;
};

static const struct parse_case parse_cases[] = {
	{ .yml = rails_pg, .env = "development", .adapter = "postgresql",
	    .database = "myapp_development", .host = "", .port = "",
	    .block = "development", .erb_unknown = "" },
	{ .yml = rails_pg, .env = "production",
	    .database = "myapp_production", .username = "myapp" },
	{ .yml = rails_pg, .env = "staging", .rc = -1,
	    .err = "no 'staging:' block" },

	{ .yml = erb_yml, .env = "development", .host = "", .port = "5433",
	    .username = "rails", .database = "app_dev",
	    .socket = "/tmp/my \"sock\"" },
	{ .yml = erb_yml, .env = "development", .set = erb_set,
	    .host = "/run/pg", .port = "6000", .username = "u",
	    .database = "n" },
	/* An explicit key wins over the merge, before or after it. */
	{ .yml = erb_yml, .env = "test", .set = erb_set, .host = "/it's",
	    .port = "6000" },

	/* Rails itself stops with KeyError on an unset ENV.fetch. */
	{ .yml = erb_fetch, .env = "development", .rc = -1,
	    .err = "ENV.fetch(\"NOPE\")" },
	{ .yml = erb_open, .env = "development", .rc = -1, .err = "without" },
	/* What it does not understand is named, and left empty. */
	{ .yml = erb_odd, .env = "development", .host = "",
	    .erb_unknown = "<%= Rails.root.join('tmp') %>", .port = "5434" },

	{ .yml = multi, .env = "development", .block = "development.primary",
	    .database = "app", .port = "5435", .host = "/var/run/postgresql" },
	/* url: at the environment's level counts as its own setting. */
	{ .yml = multi, .env = "production", .set = multi_set,
	    .block = "production", .url = "postgres://x/y" },
};

static void
test_parse(void **state)
{
	struct dbyml y;
	char err[128];

	(void)state;
	for (size_t i = 0; i < nitems(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];

		assert_int_equal(dbyml_parse(c->yml, strlen(c->yml), c->env,
		    tenv, c->set, &y, err, sizeof(err)), c->rc);
		if (c->err != NULL)
			assert_non_null(strstr(err, c->err));
		check_str(y.adapter, c->adapter);
		check_str(y.host, c->host);
		check_str(y.port, c->port);
		check_str(y.socket, c->socket);
		check_str(y.database, c->database);
		check_str(y.username, c->username);
		check_str(y.url, c->url);
		check_str(y.block, c->block);
		check_str(y.erb_unknown, c->erb_unknown);
	}
}

static void
test_hostile(void **state)
{
	static const char *const in[] = {
		"", "development", "development:", "development:\n  <<: *x\n",
		"a: &a\n  <<: *a\ndevelopment:\n  <<: *a\n",
		"development:\n  host: \"unterminated\n",
		"development:\n  host: <%= ENV[\"X\n", "development: *",
		"development:\n  host: <%=%>", "development:\n  host: <%= \"",
		"development:\n  host: <%= ENV.fetch(\"X\", ) %>",
		"development:\n  host: <%= ENV.fetch(\"X\") { %>",
		"development:\n  host: <%= 5 || %>", "development:\n  '",
		"development:\n  host: '", "development:\n  x: &",
	};
	struct guard g;
	struct dbyml y;
	char err[128];

	(void)state;
	for (size_t i = 0; i < nitems(in); i++) {
		const char *s = guard_str(&g, in[i]);
		int rc = dbyml_parse(s, strlen(in[i]), "development", tenv,
		    NULL, &y, err, sizeof(err));

		assert_true(rc == 0 || rc == -1);
		guard_free(&g);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
