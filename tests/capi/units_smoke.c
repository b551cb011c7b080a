/* C99 program using only <treem.h>: loads the official unit lists (folder given as argv[1],
 * the shared/ folder) and checks the 2025 reform lineage of Hoằng Đức. Exits 0 on success,
 * 77 (skipped) when the data is absent, 1 on failure. */
#include <stdio.h>
#include <string.h>
#include <treem.h>

static int fail(const char *what) {
  const treem_error *e = treem_error_last();
  fprintf(stderr, "FAIL %s: %s (%s)\n", what, e->message, treem_status_name(e->code));
  return 1;
}

int main(int argc, char **argv) {
  char dir[4096];
  treem_units *units = NULL;
  treem_buf buf = TREEM_BUF_INIT;
  uint32_t n = 0;
  FILE *probe;

  if (argc < 2) {
    fprintf(stderr, "usage: units_smoke SHARED_DIR\n");
    return 1;
  }
  snprintf(dir, sizeof dir, "%s/data/admin-units", argv[1]);
  {
    char path[4200];
    snprintf(path, sizeof path, "%s/units-before-2025-07-01.csv", dir);
    probe = fopen(path, "r");
    if (probe == NULL) {
      printf("SKIP: shared/ data absent at %s\n", dir);
      return 77;
    }
    fclose(probe);
  }
  if (treem_units_open_dir(&units, dir) != TREEM_OK) return fail("open");

  if (treem_units_count(&n, units, TREEM_UNIT_PROVINCE, "2025-07-01") != TREEM_OK)
    return fail("count");
  if (n != 34) {
    fprintf(stderr, "FAIL: %u provinces after the reform, expected 34\n", n);
    return 1;
  }
  if (treem_units_containing(&buf, units, "15928", "2025-07-01", TREEM_FORMAT_JSON) != TREEM_OK)
    return fail("containing");
  if (strstr((const char *)buf.data, "\"15865\"") == NULL) {
    fprintf(stderr, "FAIL: Hoằng Đức not inside 15865: %s\n", (const char *)buf.data);
    return 1;
  }
  treem_buf_dispose(&buf);

  /* Bad input: an impossible date is refused and the message names the field. */
  if (treem_units_find(&buf, units, "15928", "2023-02-29", TREEM_FORMAT_JSON) !=
      TREEM_INVALID_ARGUMENT)
    return fail("impossible date accepted");
  if (strstr(treem_error_last()->message, "date") == NULL) return fail("message lacks field");
  if (treem_units_find(&buf, units, "99999", "2024-01-01", TREEM_FORMAT_JSON) != TREEM_NOT_FOUND)
    return fail("unknown code not NOT_FOUND");
  if (treem_units_find(&buf, units, "15928", "2024-01-01", 42) != TREEM_INVALID_ARGUMENT ||
      treem_error_last()->detail != TREEM_DETAIL_MISUSE)
    return fail("bad format not misuse");
  if (treem_units_find(&buf, units, "15928", "2024-01-01", TREEM_FORMAT_CAPNP) != TREEM_OK)
    return fail("find capnp");
  if (buf.size == 0 || buf.size % 8 != 0) return fail("capnp bytes not word-aligned");
  treem_buf_dispose(&buf);
  treem_buf_dispose(&buf);
  treem_units_free(units);
  printf("units_smoke: ok\n");
  return 0;
}
