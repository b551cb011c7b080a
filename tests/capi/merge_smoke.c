/* C99 program using only <treem.h>: a commune register and a province register; the commune's
 * snapshot is merged into the province, merged again (nothing changes), a record changed in
 * both places becomes a conflict that a province officer resolves; then a journal segment is
 * merged. argv[1] (the shared/ folder) is not needed. Exits 0 on success, 1 on failure. */
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

static treem_registry* open_new(const char* dir, const char* scope) {
  treem_registry_options* opts = NULL;
  treem_registry* reg = NULL;
  if (treem_registry_options_new(&opts) != TREEM_OK) return NULL;
  treem_registry_options_set_create(opts, 1);
  treem_registry_options_set_sync(opts, TREEM_SYNC_OFF);
  treem_registry_options_add_scope(opts, scope);
  if (treem_registry_open(&reg, dir, opts) != TREEM_OK) reg = NULL;
  treem_registry_options_free(opts);
  return reg;
}

#define WORKER \
  "\"actor\":{\"userId\":\"worker-1\",\"role\":\"communeWorker\",\"unitCode\":\"15865\"}"
#define OFFICER "\"actor\":{\"userId\":\"prov-1\",\"role\":\"provinceOfficer\",\"unitCode\":\"38\"}"
#define CHILD "0b6e0c4a-7d2f-4e51-9a3b-2c1d4e5f6a7b"
#define PERSON(ACTOR, GRADE)                                                                \
  "{" ACTOR ",\"source\":\"api\",\"payload\":{\"upsertPerson\":{\"id\":\"" CHILD            \
  "\",\"fullName\":\"Pham Thi D\",\"birthDate\":{\"date\":\"2013-02-01\"},\"communeCode\":" \
  "\"15865\",\"school\":{\"grade\":" GRADE "}}}}"

static int merge(treem_registry* province, treem_registry* commune, treem_buf* report) {
  treem_buf snap = TREEM_BUF_INIT;
  treem_status s;
  if (treem_registry_export(&snap, commune, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865",
                            TREEM_FORMAT_CAPNP) != TREEM_OK)
    return 0;
  s = treem_registry_merge(report, province, "prov-1", TREEM_ROLE_PROVINCE_OFFICER, "38",
                           TREEM_MERGE_SNAPSHOT, snap.data, snap.size, TREEM_FORMAT_CAPNP,
                           TREEM_FORMAT_JSON);
  treem_buf_dispose(&snap);
  return s == TREEM_OK;
}

int main(void) {
  char tmpl[] = "/tmp/treem-mergesmoke-XXXXXX";
  char dir[256];
  treem_registry *commune, *province;
  treem_buf buf = TREEM_BUF_INIT;
  uint64_t before = 0, after = 0, seq = 0;
  char conflict[64];
  const char* at;

  if (mkdtemp(tmpl) == NULL) return fail("mkdtemp");
  snprintf(dir, sizeof dir, "%s/commune", tmpl);
  if ((commune = open_new(dir, "15865")) == NULL) return fail("create commune");
  snprintf(dir, sizeof dir, "%s/province", tmpl);
  if ((province = open_new(dir, "38")) == NULL) return fail("create province");
  if (apply(province,
            "{\"actor\":{\"userId\":\"sys\",\"role\":\"system\"},\"source\":\"api\","
            "\"payload\":{\"loadUnits\":{\"units\":[{\"code\":\"38\",\"level\":\"province\"},"
            "{\"code\":\"15865\",\"level\":\"commune\",\"parentCode\":\"38\","
            "\"provinceCode\":\"38\"}]}}}") != TREEM_OK)
    return fail("units");

  if (apply(commune, PERSON(WORKER, "5")) != TREEM_OK) return fail("commune person");
  if (!merge(province, commune, &buf)) return fail("merge");
  if (strstr((const char*)buf.data, "\"applied\":1") == NULL) {
    fprintf(stderr, "FAIL first merge: %.*s\n", (int)buf.size, (const char*)buf.data);
    return 1;
  }
  /* Merging the same snapshot again commits nothing. */
  treem_registry_last_seq(&before, province);
  if (!merge(province, commune, &buf)) return fail("re-merge");
  treem_registry_last_seq(&after, province);
  if (before != after) return fail("re-merge committed something");

  /* Changed in both places: a conflict, the province's version stays. */
  if (apply(province, PERSON(OFFICER, "9")) != TREEM_OK) return fail("province edit");
  if (apply(commune, PERSON(WORKER, "6")) != TREEM_OK) return fail("commune edit");
  if (!merge(province, commune, &buf)) return fail("conflicting merge");
  if (strstr((const char*)buf.data, "divergentVersions") == NULL) return fail("no conflict");
  if (treem_registry_conflicts(&buf, province, "prov-1", TREEM_ROLE_PROVINCE_OFFICER, "38", 1,
                               TREEM_FORMAT_JSON) != TREEM_OK)
    return fail("conflicts");
  at = strstr((const char*)buf.data, "\"id\":\"");
  if (at == NULL || strlen(at) < 6 + 36) return fail("conflict id");
  memcpy(conflict, at + 6, 36);
  conflict[36] = '\0';
  /* A commune worker may not resolve; an unknown decision is misuse. */
  if (treem_registry_resolve_conflict(&seq, province, "worker-1", TREEM_ROLE_COMMUNE_WORKER,
                                      "15865", conflict, TREEM_CONFLICT_TAKE_INCOMING,
                                      "commune is right") != TREEM_PERMISSION_DENIED)
    return fail("worker resolved");
  if (treem_registry_resolve_conflict(&seq, province, "prov-1", TREEM_ROLE_PROVINCE_OFFICER, "38",
                                      conflict, 7, "x") == TREEM_OK)
    return fail("bad decision accepted");
  if (treem_registry_resolve_conflict(&seq, province, "prov-1", TREEM_ROLE_PROVINCE_OFFICER, "38",
                                      conflict, TREEM_CONFLICT_TAKE_INCOMING,
                                      "checked with the school") != TREEM_OK)
    return fail("resolve");
  if (treem_registry_get(&buf, province, "prov-1", TREEM_ROLE_PROVINCE_OFFICER, "38", "person",
                         CHILD, TREEM_FORMAT_JSON) != TREEM_OK)
    return fail("get");
  if (strstr((const char*)buf.data, "\"grade\":6") == NULL) return fail("incoming not taken");
  if (treem_registry_resolve_conflict(&seq, province, "prov-1", TREEM_ROLE_PROVINCE_OFFICER, "38",
                                      conflict, TREEM_CONFLICT_KEEP_CURRENT,
                                      "again") != TREEM_FAILED_PRECONDITION)
    return fail("resolved twice");

  /* A journal segment merges too (its new change is the only one applied). */
  if (apply(commune, PERSON(WORKER, "7")) != TREEM_OK) return fail("commune edit 2");
  if (treem_registry_export_journal(&buf, commune, "worker-1", TREEM_ROLE_COMMUNE_WORKER, "15865",
                                    1, TREEM_FORMAT_CAPNP) != TREEM_OK)
    return fail("export journal");
  {
    treem_buf report = TREEM_BUF_INIT;
    if (treem_registry_merge(&report, province, "prov-1", TREEM_ROLE_PROVINCE_OFFICER, "38",
                             TREEM_MERGE_JOURNAL, buf.data, buf.size, TREEM_FORMAT_CAPNP,
                             TREEM_FORMAT_JSON) != TREEM_OK)
      return fail("merge journal");
    treem_buf_dispose(&report);
  }
  if (treem_registry_get(&buf, province, "prov-1", TREEM_ROLE_PROVINCE_OFFICER, "38", "person",
                         CHILD, TREEM_FORMAT_JSON) != TREEM_OK)
    return fail("get 2");
  if (strstr((const char*)buf.data, "\"grade\":7") == NULL) return fail("journal not merged");
  treem_buf_dispose(&buf);
  treem_registry_free(commune);
  treem_registry_free(province);
  {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd) != 0) return fail("cleanup");
  }
  printf("merge smoke: ok\n");
  return 0;
}
