/* form.c - numbers from form fields; see form.h. */
#include "web/form.h"

#include <errno.h>
#include <stdlib.h>

long form_int(const char *s, long min, long max)
{
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

double form_decimal(const char *s, long max)
{
	long whole = 0, hundredths = 0;
	int digits = 0, decimals = 0;
	if (s == NULL)
		return -1;
	for (; *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
		whole = whole * 10 + (*s - '0');
	if (digits == 0)
		return -1;
	if (*s == '.' || *s == ',') {
		for (s++; *s >= '0' && *s <= '9' && decimals < 2; s++, decimals++)
			hundredths = hundredths * 10 + (*s - '0');
		if (decimals == 0)
			return -1;
		if (decimals == 1)
			hundredths *= 10;
	}
	if (*s != '\0' || whole > max || (whole == max && hundredths > 0))
		return -1;
	return (double)whole + (double)hundredths / 100.0;
}

json_t *form_error_summary(const json_t *errors, const char *const (*fields)[2], size_t n)
{
	json_t *summary = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_object_get(errors, fields[i][0]);
		if (m)
			json_array_append_new(summary, json_pack("{s:s,s:O}", "field", fields[i][1], "key", m));
	}
	return summary;
}
