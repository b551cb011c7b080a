/* C99 program using only <treem.h>: creates a commune registry in a temporary folder, records
 * a child and a work activity in JSON, reads the derived classification, checks a refusal,
 * checkpoints, reopens and reads again. argv[1] (the shared/ folder) is not needed. Exits 0 on
 * success, 1 on failure. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <treem.h>

static int fail(const char* what) {
  const treem_error* e = treem_error_last();
  fprintf(stderr, "FAIL %s: %s (%s)\n", what, e->message, treem_status_name(e->code));
  return 1;
}

static treem_status apply(treem_registry* reg, const char* json) {
  uint64_t seq = 0;
  return treem_registry_apply(&seq, reg, (const uint8_t*)json, strlen(json), TREEM_FORMAT_JSON);
}

#define ACTOR \
  "\"actor\":{\"userId\":\"worker-1\",\"role\":\"communeWorker\",\"unitCode\":\"15865\"}"
#define CHILD "0b6e0c4a-7d2f-4e51-9a3b-2c1d4e5f6a7b"
#define WORK "1c7f1d5b-8e30-4f62-8b4c-3d2e5f607b8c"

int main(void) {
  char tmpl[] = "/tmp/treem-regsmoke-XXXXXX";
  char dir[256];
  treem_registry_options* opts = NULL;
  treem_registry* reg = NULL;
  treem_buf buf = TREEM_BUF_INIT;
  uint64_t covered = 0;

  if (mkdtemp(tmpl) == NULL) return fail("mkdtemp");
  snprintf(dir, sizeof dir, "%s/reg", tmpl);
  if (treem_registry_options_new(&opts) != TREEM_OK) return fail("options");
  treem_registry_options_set_create(opts, 1);
  treem_registry_options_add_scope(opts, "15865");
  if (treem_registry_open(&reg, dir, opts) != TREEM_OK) return fail("create");
  treem_registry_options_free(opts);

  if (apply(reg,
            "{" ACTOR ",\"source\":\"commandLine\",\"payload\":{\"upsertPerson\":{"
            "\"id\":\"" CHILD "\",\"fullName\":\"Pham Thi D\",\"sex\":\"female\","
            "\"birthDate\":{\"date\":\"2013-02-01\"},\"communeCode\":\"15865\"}}}") != TREEM_OK)
    return fail("person");
  if (apply(reg, "{" ACTOR ",\"source\":\"commandLine\",\"payload\":{\"recordWorkActivity\":{"
                 "\"id\":\"" WORK "\",\"childId\":\"" CHILD "\",\"observedOn\":\"2024-04-02\","
                 "\"jobCode\":\"OTHER\",\"hoursPerDay\":5,\"hoursPerWeek\":35,"
                 "\"payment\":\"paid\"}}}") != TREEM_OK)
    return fail("work activity");
  if (treem_registry_get(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865",
                         "classification", WORK, TREEM_FORMAT_JSON) != TREEM_OK)
    return fail("classification");
  if (strstr((const char*)buf.data, "\"ruleSet\"") == NULL) {
    fprintf(stderr, "FAIL: classification without its rule set: %.*s\n", (int)buf.size,
            (const char*)buf.data);
    return 1;
  }
  /* A work activity of an unknown child is refused and names the field. */
  if (apply(reg, "{" ACTOR ",\"source\":\"api\",\"payload\":{\"recordWorkActivity\":{"
                 "\"id\":\"2d802e6c-9f41-4a73-8c5d-4e3f60718c9d\","
                 "\"childId\":\"3e913f7d-a052-4b84-9d6e-5f4071829dae\","
                 "\"observedOn\":\"2024-04-02\",\"jobCode\":\"OTHER\"}}}") != TREEM_NOT_FOUND)
    return fail("unknown child accepted");
  if (strstr(treem_error_last()->message, "recordWorkActivity.childId") == NULL)
    return fail("message lacks the field");
  if (treem_registry_checkpoint(&covered, reg) != TREEM_OK) return fail("checkpoint");
  treem_registry_free(reg);
  reg = NULL;

  if (treem_registry_open(&reg, dir, NULL) != TREEM_OK) return fail("reopen");
  if (treem_registry_get(&buf, reg, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865", "person", CHILD,
                         TREEM_FORMAT_JSON) != TREEM_OK)
    return fail("get after reopen");
  if (strstr((const char*)buf.data, "Pham Thi D") == NULL) return fail("person lost");
  treem_buf_dispose(&buf);
  treem_registry_free(reg);
  {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd) != 0) fprintf(stderr, "note: could not remove %s\n", tmpl);
  }
  printf("registry smoke: ok (checkpoint covers seq %llu)\n", (unsigned long long)covered);
  return 0;
}
