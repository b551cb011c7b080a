/* C99 program using only <treem.h>: classifies a 14-year-old's light work of 20.5 hours a
 * week (over the 20-hour limit of Labour Code 2019 Art 146.1.a) in JSON and checks the legal
 * outcome and the violation code, then the errors for bad input and misuse. Needs no shared/
 * data (argv[1] is accepted for uniformity). Exits 0 on success, 1 on failure. */
#include <stdio.h>
#include <string.h>
#include <treem.h>

static int fail(const char *what) {
  const treem_error *e = treem_error_last();
  fprintf(stderr, "FAIL %s: %s (%s)\n", what, e->message, treem_status_name(e->code));
  return 1;
}

static int expect_text(const treem_buf *buf, const char *needle) {
  if (buf->data == NULL || strstr((const char *)buf->data, needle) == NULL) {
    fprintf(stderr, "FAIL: %s not in %s\n", needle, buf->data ? (const char *)buf->data : "(null)");
    return 0;
  }
  return 1;
}

static treem_status classify(treem_buf *out, const treem_rules *rules, const char *json) {
  return treem_classify(out, rules, (const uint8_t *)json, strlen(json), TREEM_FORMAT_JSON,
                        TREEM_FORMAT_JSON);
}

int main(int argc, char **argv) {
  static const char *const over_hours =
      "{\"birthDate\":{\"date\":\"2010-01-01\",\"estimated\":false},"
      "\"activity\":{\"observedOn\":\"2024-03-10\",\"jobCode\":\"TT09-A2-06\","
      "\"hoursPerDay\":4,\"hoursPerWeek\":20.5}}";
  static const char *const within =
      "{\"birthDate\":{\"date\":\"2010-01-01\"},"
      "\"activity\":{\"observedOn\":\"2024-03-10\",\"jobCode\":\"TT09-A2-06\","
      "\"hoursPerDay\":4,\"hoursPerWeek\":20}}";
  static const char *const before_birth =
      "{\"birthDate\":{\"date\":\"2024-05-01\"},"
      "\"activity\":{\"observedOn\":\"2024-03-10\",\"jobCode\":\"OTHER\"}}";
  treem_rules *rules = NULL;
  treem_buf buf = TREEM_BUF_INIT;

  (void)argc;
  (void)argv;
  if (treem_rules_new(&rules) != TREEM_OK) return fail("rules_new");

  if (classify(&buf, rules, over_hours) != TREEM_OK) return fail("classify over hours");
  if (!expect_text(&buf, "\"outcome\":\"childLabour\"")) return 1;
  if (!expect_text(&buf, "\"code\":\"EXCESS_HOURS_U15\"")) return 1;
  if (!expect_text(&buf, "\"id\":\"VN-LC2019\"")) return 1;

  /* The same work within the limit is not child labour: the buffer is reused. */
  if (classify(&buf, rules, within) != TREEM_OK) return fail("classify within limits");
  if (!expect_text(&buf, "\"outcome\":\"notChildLabour\"")) return 1;
  if (strstr((const char *)buf.data, "EXCESS_HOURS_U15") != NULL) {
    fprintf(stderr, "FAIL: violation reported within the limit\n");
    return 1;
  }
  treem_buf_dispose(&buf);

  /* Bad input: named field, no birth date in the message. */
  if (classify(&buf, rules, before_birth) != TREEM_INVALID_ARGUMENT)
    return fail("activity before birth accepted");
  if (strstr(treem_error_last()->message, "before the birth date") == NULL)
    return fail("message lacks the reason");
  if (strstr(treem_error_last()->message, "2024-05-01") != NULL)
    return fail("message leaks the birth date");
  if (buf.data != NULL) return fail("buffer filled on error");

  /* Misuse: unknown format, NULL handle. */
  if (treem_classify(&buf, rules, (const uint8_t *)within, strlen(within), 42, TREEM_FORMAT_JSON) !=
          TREEM_INVALID_ARGUMENT ||
      treem_error_last()->detail != TREEM_DETAIL_MISUSE)
    return fail("bad format not misuse");
  if (classify(&buf, NULL, within) != TREEM_INVALID_ARGUMENT ||
      treem_error_last()->detail != TREEM_DETAIL_MISUSE)
    return fail("null rules not misuse");

  treem_buf_dispose(&buf);
  treem_rules_free(rules);
  treem_rules_free(NULL);
  printf("classify_smoke: ok\n");
  return 0;
}
