/* A minimal out-of-tree consumer of the installed C API. With a folder argument it also creates
 * a register there, records a child and writes the full export (export.capnp, export.json)
 * and a journal segment (journal.capnp), which the test decodes with the official `capnp
 * decode` tool and the installed schema. */
#include <stdio.h>
#include <string.h>
#include <treem.h>

static int write_file(const char *dir, const char *name, const treem_buf *buf) {
  char path[512];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "wb");
  if (f == NULL) return 0;
  if (fwrite(buf->data, 1, buf->size, f) != buf->size) {
    fclose(f);
    return 0;
  }
  return fclose(f) == 0;
}

static int export_register(const char *dir) {
  static const char person[] =
      "{\"actor\":{\"userId\":\"worker-1\",\"role\":\"communeWorker\",\"unitCode\":\"15865\"},"
      "\"source\":\"api\",\"payload\":{\"upsertPerson\":{\"id\":"
      "\"0b6e0c4a-7d2f-4e51-9a3b-2c1d4e5f6a7b\",\"fullName\":\"Nguyễn Thị Hoa\","
      "\"birthDate\":{\"date\":\"2013-02-01\"},\"communeCode\":\"15865\"}}}";
  char path[512];
  treem_registry_options *opts = NULL;
  treem_registry *reg = NULL;
  treem_buf buf = TREEM_BUF_INIT;
  uint64_t seq = 0;
  int ok = 0;
  snprintf(path, sizeof path, "%s/register", dir);
  if (treem_registry_options_new(&opts) != TREEM_OK) return 0;
  treem_registry_options_set_create(opts, 1);
  treem_registry_options_add_scope(opts, "15865");
  if (treem_registry_open(&reg, path, opts) == TREEM_OK &&
      treem_registry_apply(&seq, reg, (const uint8_t *)person, strlen(person),
                           TREEM_FORMAT_JSON) == TREEM_OK &&
      treem_registry_export(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865",
                            TREEM_FORMAT_CAPNP) == TREEM_OK &&
      write_file(dir, "export.capnp", &buf) &&
      treem_registry_export(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865",
                            TREEM_FORMAT_JSON) == TREEM_OK &&
      write_file(dir, "export.json", &buf) &&
      treem_registry_export_journal(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865", 1,
                                    TREEM_FORMAT_CAPNP) == TREEM_OK &&
      write_file(dir, "journal.capnp", &buf)) {
    ok = 1;
  } else {
    fprintf(stderr, "export failed: %s\n", treem_error_last()->message);
  }
  treem_buf_dispose(&buf);
  treem_registry_free(reg);
  treem_registry_options_free(opts);
  return ok;
}

int main(int argc, char **argv) {
  treem_units *units = NULL;
  if (treem_version_number() / 10000 != TREEM_VERSION_MAJOR) {
    fprintf(stderr, "header and library majors differ\n");
    return 1;
  }
  if (treem_units_open_dir(&units, NULL) != TREEM_INVALID_ARGUMENT) return 2;
  if (strlen(treem_error_last()->message) == 0) return 3;
  if (argc > 1 && !export_register(argv[1])) return 4;
  printf("treem %s linked\n", treem_version_string());
  return 0;
}
