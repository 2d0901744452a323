/*
 * check: assertions the table-driven unit tests share. Include after
 * <cmocka.h>.
 */
#ifndef SB_TEST_CHECK_H
#define SB_TEST_CHECK_H

/* got equals want; a NULL want is a field the case does not check. */
static inline void
check_str(const char *got, const char *want)
{
	if (want != NULL)
		assert_string_equal(got, want);
}

#endif
