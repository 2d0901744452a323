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

static void
test_rails_new(void **state)
{
	struct dbyml y;
	char err[128];

	(void)state;
	assert_int_equal(dbyml_parse(rails_pg, strlen(rails_pg), "development",
	    tenv, NULL, &y, err, sizeof(err)), 0);
	assert_string_equal(y.adapter, "postgresql");
	assert_string_equal(y.database, "myapp_development");
	assert_string_equal(y.host, "");
	assert_string_equal(y.port, "");
	assert_string_equal(y.block, "development");
	assert_string_equal(y.erb_unknown, "");

	assert_int_equal(dbyml_parse(rails_pg, strlen(rails_pg), "production",
	    tenv, NULL, &y, err, sizeof(err)), 0);
	assert_string_equal(y.database, "myapp_production");
	assert_string_equal(y.username, "myapp");

	assert_int_equal(dbyml_parse(rails_pg, strlen(rails_pg), "staging",
	    tenv, NULL, &y, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no 'staging:' block"));
}

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

static void
test_erb_defaults(void **state)
{
	const char *set[] = { "DATABASE_HOST", "/run/pg", "DATABASE_PORT",
	    "6000", "DB_USER", "u", "DB_NAME", "n", NULL };
	struct dbyml y;
	char err[128];

	(void)state;
	assert_int_equal(dbyml_parse(erb_yml, strlen(erb_yml), "development",
	    tenv, NULL, &y, err, sizeof(err)), 0);
	assert_string_equal(y.host, "");
	assert_string_equal(y.port, "5433");
	assert_string_equal(y.username, "rails");
	assert_string_equal(y.database, "app_dev");
	assert_string_equal(y.socket, "/tmp/my \"sock\"");

	assert_int_equal(dbyml_parse(erb_yml, strlen(erb_yml), "development",
	    tenv, set, &y, err, sizeof(err)), 0);
	assert_string_equal(y.host, "/run/pg");
	assert_string_equal(y.port, "6000");
	assert_string_equal(y.username, "u");
	assert_string_equal(y.database, "n");

	/* An explicit key wins over the merge, before or after it. */
	assert_int_equal(dbyml_parse(erb_yml, strlen(erb_yml), "test", tenv,
	    set, &y, err, sizeof(err)), 0);
	assert_string_equal(y.host, "/it's");
	assert_string_equal(y.port, "6000");
}

static void
test_erb_errors(void **state)
{
	static const char fetch[] = "development:\n  host: <%= ENV.fetch("
	    "\"NOPE\") %>\n";
	static const char open[] = "development:\n  host: <%= ENV[\"X\"]\n";
	static const char odd[] = "development:\n  adapter: postgresql\n"
	    "  host: <%= Rails.root.join('tmp') %>\n<% if true %>\n"
	    "  port: <%# nothing %>5434\n";
	struct dbyml y;
	char err[128];

	(void)state;
	/* Rails itself stops with KeyError on an unset ENV.fetch. */
	assert_int_equal(dbyml_parse(fetch, strlen(fetch), "development", tenv,
	    NULL, &y, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ENV.fetch(\"NOPE\")"));
	assert_int_equal(dbyml_parse(open, strlen(open), "development", tenv,
	    NULL, &y, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "without"));
	/* What it does not understand is named, and left empty. */
	assert_int_equal(dbyml_parse(odd, strlen(odd), "development", tenv,
	    NULL, &y, err, sizeof(err)), 0);
	assert_string_equal(y.host, "");
	assert_string_equal(y.erb_unknown, "<%= Rails.root.join('tmp') %>");
	assert_string_equal(y.port, "5434");
}

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

static void
test_multi_db(void **state)
{
	const char *set[] = { "DATABASE_URL", "postgres://x/y", NULL };
	struct dbyml y;
	char err[128];

	(void)state;
	assert_int_equal(dbyml_parse(multi, strlen(multi), "development", tenv,
	    NULL, &y, err, sizeof(err)), 0);
	assert_string_equal(y.block, "development.primary");
	assert_string_equal(y.database, "app");
	assert_string_equal(y.port, "5435");
	assert_string_equal(y.host, "/var/run/postgresql");

	/* url: at the environment's level counts as its own setting. */
	assert_int_equal(dbyml_parse(multi, strlen(multi), "production", tenv,
	    set, &y, err, sizeof(err)), 0);
	assert_string_equal(y.block, "production");
	assert_string_equal(y.url, "postgres://x/y");
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
		cmocka_unit_test(test_rails_new),
		cmocka_unit_test(test_erb_defaults),
		cmocka_unit_test(test_erb_errors),
		cmocka_unit_test(test_multi_db),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
