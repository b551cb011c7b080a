/* treem-commune: the commune tool. A command-line program written in C99 against <treem.h>
 * only, showing how a commune's software uses treem: keep the register, record work and see
 * its legal classification, screen children, run cases, list what is due, log prevention
 * activities, produce the period report and export for the province.
 *
 * Exit codes: 0 success, 1 a treem error (message on stderr), 2 bad usage, 3 I/O error. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <treem.h>

#define EXIT_TREEM 1
#define EXIT_USAGE 2
#define EXIT_IO 3

static const char* g_user = "cb-ldtbxh-01";
static treem_role g_role = TREEM_ROLE_COMMUNE_WORKER;
static const char* g_unit = NULL; /* defaults to the store's scope given at init */
static int g_quiet = 0;
static const char* g_units_dir = NULL; /* official unit lists (--units DIR) */

static void usage(FILE* f) {
  fputs(
      "usage: treem-commune [--user ID] [--role ROLE] [--unit CODE] [--units DIR] [--quiet]\n"
      "                     COMMAND ...\n"
      "  --user, --role, --unit  the acting user (every read and write is checked and audited)\n"
      "  --units DIR             the official unit lists (shared/data/admin-units)\n"
      "\n"
      "Commands (STORE is a folder holding the commune's register):\n"
      "  init STORE --scope CODE[,CODE]         create a register for a commune (mã xã);\n"
      "                                          old and new codes across the 2025 merger\n"
      "  import STORE HOUSEHOLDS.csv CHILDREN.csv --commune CODE [--skip-bad-rows]\n"
      "                                          import village survey lists (danh sách hộ, trẻ "
      "em)\n"
      "  apply STORE FILE.jsonl                  apply commands, one JSON Command per line\n"
      "  get STORE KIND ID                       print one record as JSON (kind: person, case,\n"
      "                                          workActivity, classification, ...)\n"
      "  history STORE KIND ID                   who changed a record, when, from where\n"
      "  classify REQUEST.json                   classify a work activity (ClassifyRequest JSON)\n"
      "  screen REQUEST.json                     at-risk screening (RiskScreenRequest JSON)\n"
      "  due STORE --at YYYY-MM-DD[THH:MM]      cases with steps overdue or due soon (quá hạn)\n"
      "  report STORE --from DATE --to DATE [--on-map DATE] [--plan NAME]\n"
      "         [--upward] [--html F] [--csv F] [--json F]\n"
      "                                          the period's indicators (chỉ tiêu) against the\n"
      "                                          plan (default hoang-duc-2023; qd-782-2021)\n"
      "  export STORE OUT [--deidentified] [--json]\n"
      "                                          full export, or de-identified for the province\n"
      "  checkpoint STORE                        write a snapshot and compact the journal\n"
      "  export-journal STORE OUT [--from SEQ]   the journal from SEQ on, for a province merge\n"
      "  merge STORE FILE [--journal]            (province) merge a commune's export, or its\n"
      "                                          journal; conflicts are kept for review\n"
      "  conflicts STORE [--all]                 (province) merge conflicts waiting for review\n"
      "  resolve STORE ID keep|take REASON       (province) close a conflict: keep the province's\n"
      "                                          version or take the commune's\n"
      "  units DIR containing CODE DATE          which unit holds CODE on DATE (2025 reform)\n"
      "\n"
      "Roles: commune-worker (default), commune-chair, province-officer, analyst, inspector,\n"
      "auditor. Dates are YYYY-MM-DD. Messages never show personal data.\n",
      f);
}

static int treem_fail(const char* what) {
  const treem_error* e = treem_error_last();
  fprintf(stderr, "treem-commune: %s: %s [%s]\n", what, e->message, treem_status_name(e->code));
  return EXIT_TREEM;
}

static int parse_role(const char* s, treem_role* out) {
  static const struct {
    const char* name;
    treem_role role;
  } roles[] = {{"commune-worker", TREEM_ROLE_COMMUNE_WORKER},
               {"commune-chair", TREEM_ROLE_COMMUNE_CHAIR},
               {"province-officer", TREEM_ROLE_PROVINCE_OFFICER},
               {"analyst", TREEM_ROLE_ANALYST},
               {"inspector", TREEM_ROLE_INSPECTOR},
               {"auditor", TREEM_ROLE_AUDITOR}};
  size_t i;
  for (i = 0; i < sizeof roles / sizeof roles[0]; ++i) {
    if (strcmp(s, roles[i].name) == 0) {
      *out = roles[i].role;
      return 1;
    }
  }
  return 0;
}

/* Reads a whole file; returns NULL (and prints why) on failure. */
static unsigned char* read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  unsigned char* data = NULL;
  size_t cap = 0, n = 0;
  if (f == NULL) {
    fprintf(stderr, "treem-commune: cannot open '%s': %s\n", path, strerror(errno));
    return NULL;
  }
  for (;;) {
    size_t got;
    if (n == cap) {
      unsigned char* p;
      cap = cap ? cap * 2 : 65536;
      p = (unsigned char*)realloc(data, cap + 1);
      if (p == NULL) {
        free(data);
        fclose(f);
        fprintf(stderr, "treem-commune: out of memory reading '%s'\n", path);
        return NULL;
      }
      data = p;
    }
    got = fread(data + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    fprintf(stderr, "treem-commune: error reading '%s'\n", path);
    free(data);
    fclose(f);
    return NULL;
  }
  fclose(f);
  data[n] = 0;
  *len = n;
  return data;
}

static int write_file(const char* path, const unsigned char* data, size_t len) {
  FILE* f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "treem-commune: cannot write '%s': %s\n", path, strerror(errno));
    return EXIT_IO;
  }
  return 0;
}

static void print_buf(treem_buf* buf) {
  fwrite(buf->data, 1, buf->size, stdout);
  if (buf->size == 0 || buf->data[buf->size - 1] != '\n') fputc('\n', stdout);
  treem_buf_dispose(buf);
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" in Vietnam local time (UTC+7) -> microseconds UTC. */
static int parse_instant(const char* s, int64_t* out) {
  int y, mo, d, h = 0, mi = 0;
  long long days;
  int a, yy, m;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) < 3) return 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59) return 0;
  /* days from civil (proleptic Gregorian) */
  a = (14 - mo) / 12;
  yy = y + 4800 - a;
  m = mo + 12 * a - 3;
  days = d + (153 * m + 2) / 5 + 365LL * yy + yy / 4 - yy / 100 + yy / 400 - 32045 - 2440588;
  *out = ((days * 24 + h - 7) * 60 + mi) * 60 * 1000000LL;
  return 1;
}

/* `scope` is a comma-separated list of unit codes (used when creating). */
static treem_registry* open_store(const char* dir, int create, const char* scope,
                                  const char* units_dir) {
  treem_registry_options* opts = NULL;
  treem_registry* reg = NULL;
  treem_units* units = NULL;
  if (units_dir == NULL) units_dir = g_units_dir;
  if (treem_registry_options_new(&opts) != TREEM_OK) return NULL;
  if (create) {
    char codes[256];
    char *code, *save = NULL;
    snprintf(codes, sizeof codes, "%s", scope);
    if (treem_registry_options_set_create(opts, 1) != TREEM_OK) {
      treem_fail("options");
      treem_registry_options_free(opts);
      return NULL;
    }
    for (code = strtok_r(codes, ",", &save); code; code = strtok_r(NULL, ",", &save)) {
      if (treem_registry_options_add_scope(opts, code) != TREEM_OK) {
        treem_fail("--scope");
        treem_registry_options_free(opts);
        return NULL;
      }
    }
  }
  if (units_dir != NULL) {
    if (treem_units_open_dir(&units, units_dir) != TREEM_OK ||
        treem_registry_options_set_units(opts, units) != TREEM_OK) {
      treem_fail("loading units");
      treem_units_free(units);
      treem_registry_options_free(opts);
      return NULL;
    }
    treem_units_free(units);
  }
  if (treem_registry_open(&reg, dir, opts) != TREEM_OK) {
    treem_fail("opening the register");
    reg = NULL;
  }
  treem_registry_options_free(opts);
  return reg;
}

static const char* unit_or(const char* fallback) { return g_unit ? g_unit : fallback; }

static int cmd_init(int argc, char** argv) {
  const char *dir = NULL, *scope = NULL, *units = NULL;
  treem_registry* reg;
  int i;
  for (i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--scope") == 0 && i + 1 < argc)
      scope = argv[++i];
    else if (strcmp(argv[i], "--units") == 0 && i + 1 < argc)
      units = argv[++i];
    else if (dir == NULL)
      dir = argv[i];
    else
      return EXIT_USAGE;
  }
  if (dir == NULL || scope == NULL) return EXIT_USAGE;
  reg = open_store(dir, 1, scope, units);
  if (reg == NULL) return EXIT_TREEM;
  treem_registry_free(reg);
  if (!g_quiet) printf("created register %s for unit %s\n", dir, scope);
  return 0;
}

static int cmd_apply(int argc, char** argv) {
  treem_registry* reg;
  FILE* f;
  char* line = NULL;
  size_t cap = 0;
  ssize_t n;
  long lineno = 0, applied = 0;
  int rc = 0;
  if (argc != 2) return EXIT_USAGE;
  f = fopen(argv[1], "r");
  if (f == NULL) {
    fprintf(stderr, "treem-commune: cannot open '%s': %s\n", argv[1], strerror(errno));
    return EXIT_IO;
  }
  reg = open_store(argv[0], 0, NULL, NULL);
  if (reg == NULL) {
    fclose(f);
    return EXIT_TREEM;
  }
  while ((n = getline(&line, &cap, f)) > 0) {
    uint64_t seq = 0;
    ++lineno;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (n == 0) continue;
    if (treem_registry_apply(&seq, reg, (const uint8_t*)line, (size_t)n, TREEM_FORMAT_JSON) !=
        TREEM_OK) {
      const treem_error* e = treem_error_last();
      fprintf(stderr, "treem-commune: %s: line %ld: %s [%s]\n", argv[1], lineno, e->message,
              treem_status_name(e->code));
      rc = EXIT_TREEM;
      break;
    }
    ++applied;
    if (!g_quiet && applied % 500 == 0) fprintf(stderr, "  ... %ld commands applied\n", applied);
  }
  free(line);
  fclose(f);
  treem_registry_free(reg);
  if (!g_quiet) printf("applied %ld commands from %s\n", applied, argv[1]);
  return rc;
}

static int cmd_get(int argc, char** argv, int history) {
  treem_registry* reg;
  treem_buf buf = TREEM_BUF_INIT;
  treem_status st;
  if (argc != 3) return EXIT_USAGE;
  reg = open_store(argv[0], 0, NULL, NULL);
  if (reg == NULL) return EXIT_TREEM;
  st = history ? treem_registry_history(&buf, reg, g_user, g_role, unit_or(""), argv[1], argv[2],
                                        TREEM_FORMAT_JSON)
               : treem_registry_get(&buf, reg, g_user, g_role, unit_or(""), argv[1], argv[2],
                                    TREEM_FORMAT_JSON);
  if (st != TREEM_OK) {
    treem_fail(history ? "history" : "get");
    treem_registry_free(reg);
    return EXIT_TREEM;
  }
  print_buf(&buf);
  treem_registry_free(reg);
  return 0;
}

static int cmd_rules(int argc, char** argv, int screen) {
  treem_rules* rules = NULL;
  treem_buf buf = TREEM_BUF_INIT;
  unsigned char* req;
  size_t len = 0;
  treem_status st;
  if (argc != 1) return EXIT_USAGE;
  req = read_file(argv[0], &len);
  if (req == NULL) return EXIT_IO;
  if (treem_rules_new(&rules) != TREEM_OK) {
    free(req);
    return treem_fail("loading rules");
  }
  st = screen ? treem_screen_risk(&buf, rules, req, len, TREEM_FORMAT_JSON, TREEM_FORMAT_JSON)
              : treem_classify(&buf, rules, req, len, TREEM_FORMAT_JSON, TREEM_FORMAT_JSON);
  free(req);
  treem_rules_free(rules);
  if (st != TREEM_OK) return treem_fail(screen ? "screen" : "classify");
  print_buf(&buf);
  return 0;
}

static int cmd_due(int argc, char** argv) {
  treem_registry* reg;
  treem_buf buf = TREEM_BUF_INIT;
  int64_t at = 0;
  if (argc != 3 || strcmp(argv[1], "--at") != 0) return EXIT_USAGE;
  if (!parse_instant(argv[2], &at)) {
    fprintf(stderr, "treem-commune: --at: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM\n");
    return EXIT_USAGE;
  }
  reg = open_store(argv[0], 0, NULL, NULL);
  if (reg == NULL) return EXIT_TREEM;
  if (treem_registry_due(&buf, reg, g_user, g_role, unit_or(""), at, 48, TREEM_FORMAT_JSON) !=
      TREEM_OK) {
    treem_registry_free(reg);
    return treem_fail("due");
  }
  print_buf(&buf);
  treem_registry_free(reg);
  return 0;
}

static int cmd_checkpoint(int argc, char** argv) {
  treem_registry* reg;
  uint64_t seq = 0;
  if (argc != 1) return EXIT_USAGE;
  reg = open_store(argv[0], 0, NULL, NULL);
  if (reg == NULL) return EXIT_TREEM;
  if (treem_registry_checkpoint(&seq, reg) != TREEM_OK) {
    treem_registry_free(reg);
    return treem_fail("checkpoint");
  }
  treem_registry_free(reg);
  if (!g_quiet) printf("snapshot written at command %llu\n", (unsigned long long)seq);
  return 0;
}

static int cmd_export(int argc, char** argv) {
  treem_registry* reg;
  treem_buf buf = TREEM_BUF_INIT;
  int deid = 0, json = 0, i, rc;
  const char *dir = NULL, *out = NULL;
  for (i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--deidentified") == 0)
      deid = 1;
    else if (strcmp(argv[i], "--json") == 0)
      json = 1;
    else if (dir == NULL)
      dir = argv[i];
    else if (out == NULL)
      out = argv[i];
    else
      return EXIT_USAGE;
  }
  if (dir == NULL || out == NULL) return EXIT_USAGE;
  reg = open_store(dir, 0, NULL, NULL);
  if (reg == NULL) return EXIT_TREEM;
  if (treem_registry_export(&buf, reg, g_user, g_role, unit_or(""), TREEM_FORMAT_CAPNP) !=
      TREEM_OK) {
    treem_registry_free(reg);
    return treem_fail("export");
  }
  treem_registry_free(reg);
  if (deid) {
    treem_buf clean = TREEM_BUF_INIT;
    if (treem_deidentify(&clean, buf.data, buf.size, TREEM_FORMAT_CAPNP, NULL, 0, 0,
                         json ? TREEM_FORMAT_JSON : TREEM_FORMAT_CAPNP) != TREEM_OK) {
      treem_buf_dispose(&buf);
      return treem_fail("de-identifying");
    }
    treem_buf_dispose(&buf);
    buf = clean;
  } else if (json) {
    fprintf(stderr, "treem-commune: --json needs --deidentified (full exports are capnp)\n");
    treem_buf_dispose(&buf);
    return EXIT_USAGE;
  }
  rc = write_file(out, buf.data, buf.size);
  if (rc == 0 && !g_quiet)
    printf("wrote %s (%lu bytes%s)\n", out, (unsigned long)buf.size, deid ? ", de-identified" : "");
  treem_buf_dispose(&buf);
  return rc;
}

static int cmd_report(int argc, char** argv) {
  const char *dir = NULL, *from = NULL, *to = NULL, *map = NULL, *units_dir = NULL;
  const char *html = NULL, *csv = NULL, *json = NULL, *plan = "hoang-duc-2023", *title = NULL;
  int upward = 0, i, rc = 0;
  treem_registry* reg = NULL;
  treem_units* units = NULL;
  treem_report_request* req = NULL;
  treem_buf report = TREEM_BUF_INIT, text = TREEM_BUF_INIT;
  for (i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
      from = argv[++i];
    else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
      to = argv[++i];
    else if (strcmp(argv[i], "--on-map") == 0 && i + 1 < argc)
      map = argv[++i];
    else if (strcmp(argv[i], "--units") == 0 && i + 1 < argc)
      units_dir = argv[++i];
    else if (strcmp(argv[i], "--plan") == 0 && i + 1 < argc)
      plan = argv[++i];
    else if (strcmp(argv[i], "--title") == 0 && i + 1 < argc)
      title = argv[++i];
    else if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
      html = argv[++i];
    else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
      csv = argv[++i];
    else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
      json = argv[++i];
    else if (strcmp(argv[i], "--upward") == 0)
      upward = 1;
    else if (dir == NULL)
      dir = argv[i];
    else
      return EXIT_USAGE;
  }
  if (units_dir == NULL) units_dir = g_units_dir;
  if (dir == NULL || from == NULL || to == NULL || units_dir == NULL) return EXIT_USAGE;
  if (treem_units_open_dir(&units, units_dir) != TREEM_OK) return treem_fail("loading units");
  if (treem_report_request_new(&req) != TREEM_OK ||
      treem_report_request_set_period(req, from, to) != TREEM_OK ||
      (map != NULL && treem_report_request_set_map_date(req, map) != TREEM_OK) ||
      (plan[0] != 0 && treem_report_request_set_plan_builtin(req, plan) != TREEM_OK) ||
      (title != NULL && treem_report_request_set_title(req, title) != TREEM_OK) ||
      treem_report_request_set_upward(req, upward) != TREEM_OK ||
      treem_report_request_add_dimension(req, 1) != TREEM_OK ||
      treem_report_request_add_dimension(req, 2) != TREEM_OK) {
    rc = treem_fail("report request");
    goto done;
  }
  reg = open_store(dir, 0, NULL, NULL);
  if (reg == NULL) {
    rc = EXIT_TREEM;
    goto done;
  }
  if (treem_registry_report(&report, reg, g_user, g_role, unit_or(""), units, req,
                            TREEM_FORMAT_CAPNP) != TREEM_OK) {
    rc = treem_fail("report");
    goto done;
  }
  if (json != NULL) {
    if (treem_report_render(&text, report.data, report.size, TREEM_FORMAT_CAPNP,
                            TREEM_RENDER_JSON) != TREEM_OK) {
      rc = treem_fail("rendering JSON");
      goto done;
    }
    if ((rc = write_file(json, text.data, text.size)) != 0) goto done;
    if (!g_quiet) printf("JSON report: %s\n", json);
    treem_buf_dispose(&text);
  }
  if (csv != NULL) {
    if (treem_report_render(&text, report.data, report.size, TREEM_FORMAT_CAPNP,
                            TREEM_RENDER_CSV) != TREEM_OK) {
      rc = treem_fail("rendering CSV");
      goto done;
    }
    if ((rc = write_file(csv, text.data, text.size)) != 0) goto done;
    if (!g_quiet) printf("CSV report: %s\n", csv);
    treem_buf_dispose(&text);
  }
  if (html != NULL) {
    if (treem_report_render(&text, report.data, report.size, TREEM_FORMAT_CAPNP,
                            TREEM_RENDER_HTML) != TREEM_OK) {
      rc = treem_fail("rendering HTML");
      goto done;
    }
    if ((rc = write_file(html, text.data, text.size)) != 0) goto done;
    if (!g_quiet) printf("HTML report: %s\n", html);
  }
  if (csv == NULL && html == NULL && json == NULL) {
    if (treem_report_render(&text, report.data, report.size, TREEM_FORMAT_CAPNP,
                            TREEM_RENDER_CSV) != TREEM_OK) {
      rc = treem_fail("rendering CSV");
      goto done;
    }
    fwrite(text.data, 1, text.size, stdout);
  }
done:
  treem_buf_dispose(&text);
  treem_buf_dispose(&report);
  treem_registry_free(reg);
  treem_report_request_free(req);
  treem_units_free(units);
  return rc;
}

static int cmd_units(int argc, char** argv) {
  treem_units* units = NULL;
  treem_buf buf = TREEM_BUF_INIT;
  if (argc != 4 || strcmp(argv[1], "containing") != 0) return EXIT_USAGE;
  if (treem_units_open_dir(&units, argv[0]) != TREEM_OK) return treem_fail("loading units");
  if (treem_units_containing(&buf, units, argv[2], argv[3], TREEM_FORMAT_JSON) != TREEM_OK) {
    treem_units_free(units);
    return treem_fail("containing");
  }
  print_buf(&buf);
  treem_units_free(units);
  return 0;
}

static int cmd_import(int argc, char** argv) {
  const char *dir = NULL, *hfile = NULL, *cfile = NULL, *commune = NULL;
  unsigned char *h = NULL, *c = NULL;
  size_t hlen = 0, clen = 0;
  uint32_t flags = 0;
  uint64_t seq = 0;
  treem_buf report = TREEM_BUF_INIT;
  treem_registry* reg;
  treem_status st;
  int i;
  for (i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--commune") == 0 && i + 1 < argc)
      commune = argv[++i];
    else if (strcmp(argv[i], "--skip-bad-rows") == 0)
      flags |= TREEM_CSV_SKIP_BAD_ROWS;
    else if (dir == NULL)
      dir = argv[i];
    else if (hfile == NULL)
      hfile = argv[i];
    else if (cfile == NULL)
      cfile = argv[i];
    else
      return EXIT_USAGE;
  }
  if (dir == NULL || hfile == NULL || cfile == NULL || commune == NULL) return EXIT_USAGE;
  h = read_file(hfile, &hlen);
  c = h ? read_file(cfile, &clen) : NULL;
  if (h == NULL || c == NULL) {
    free(h);
    return EXIT_IO;
  }
  reg = open_store(dir, 0, NULL, NULL);
  if (reg == NULL) {
    free(h);
    free(c);
    return EXIT_TREEM;
  }
  if (!g_quiet) fprintf(stderr, "importing %s and %s ...\n", hfile, cfile);
  st = treem_registry_import_csv(&seq, &report, reg, h, hlen, c, clen, commune, g_user, g_role,
                                 unit_or(commune), flags, TREEM_FORMAT_JSON);
  free(h);
  free(c);
  treem_registry_free(reg);
  if (st != TREEM_OK) {
    treem_fail("import");
    if (report.data != NULL) {
      fputs("full problem list (CsvImportReport):\n", stderr);
      fwrite(report.data, 1, report.size, stderr);
      fputc('\n', stderr);
    }
    treem_buf_dispose(&report);
    return EXIT_TREEM;
  }
  if (!g_quiet) {
    /* The report is JSON: show the counts without a JSON parser. */
    const char* keys[] = {"householdsImported", "childrenImported"};
    size_t k;
    for (k = 0; k < 2; ++k) {
      const char* p = strstr((const char*)report.data, keys[k]);
      long n = 0;
      if (p != NULL) sscanf(p + strlen(keys[k]) + 2, "%ld", &n);
      printf("%s: %ld\n", keys[k], n);
    }
    if (flags & TREEM_CSV_SKIP_BAD_ROWS)
      printf("rows skipped are listed in the report (--skip-bad-rows)\n");
    printf("committed as command %llu\n", (unsigned long long)seq);
  }
  treem_buf_dispose(&report);
  return 0;
}

static int cmd_export_journal(int argc, char** argv) {
  treem_registry* reg;
  treem_buf buf = TREEM_BUF_INIT;
  unsigned long long from = 1;
  const char *dir = NULL, *out = NULL;
  int i, rc;
  for (i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
      if (sscanf(argv[++i], "%llu", &from) != 1) return EXIT_USAGE;
    } else if (dir == NULL) {
      dir = argv[i];
    } else if (out == NULL) {
      out = argv[i];
    } else {
      return EXIT_USAGE;
    }
  }
  if (dir == NULL || out == NULL) return EXIT_USAGE;
  reg = open_store(dir, 0, NULL, NULL);
  if (reg == NULL) return EXIT_TREEM;
  if (treem_registry_export_journal(&buf, reg, g_user, g_role, unit_or(""), (uint64_t)from,
                                    TREEM_FORMAT_CAPNP) != TREEM_OK) {
    treem_registry_free(reg);
    return treem_fail("export-journal");
  }
  treem_registry_free(reg);
  rc = write_file(out, buf.data, buf.size);
  if (rc == 0 && !g_quiet) printf("wrote %s (%lu bytes)\n", out, (unsigned long)buf.size);
  treem_buf_dispose(&buf);
  return rc;
}

static int cmd_merge(int argc, char** argv) {
  treem_registry* reg;
  treem_buf report = TREEM_BUF_INIT;
  unsigned char* data;
  size_t len = 0;
  int journal = 0, i;
  const char *dir = NULL, *file = NULL;
  for (i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--journal") == 0)
      journal = 1;
    else if (dir == NULL)
      dir = argv[i];
    else if (file == NULL)
      file = argv[i];
    else
      return EXIT_USAGE;
  }
  if (dir == NULL || file == NULL) return EXIT_USAGE;
  data = read_file(file, &len);
  if (data == NULL) return EXIT_IO;
  reg = open_store(dir, 0, NULL, NULL);
  if (reg == NULL) {
    free(data);
    return EXIT_TREEM;
  }
  if (treem_registry_merge(&report, reg, g_user, g_role, unit_or(""),
                           journal ? TREEM_MERGE_JOURNAL : TREEM_MERGE_SNAPSHOT, data, len,
                           TREEM_FORMAT_CAPNP, TREEM_FORMAT_JSON) != TREEM_OK) {
    free(data);
    treem_registry_free(reg);
    return treem_fail("merge");
  }
  free(data);
  treem_registry_free(reg);
  print_buf(&report); /* MergeRecord: counts, new conflicts, seq (0: nothing new) */
  return 0;
}

static int cmd_conflicts(int argc, char** argv) {
  treem_registry* reg;
  treem_buf buf = TREEM_BUF_INIT;
  int all = argc == 2 && strcmp(argv[1], "--all") == 0;
  if (argc != 1 && !all) return EXIT_USAGE;
  reg = open_store(argv[0], 0, NULL, NULL);
  if (reg == NULL) return EXIT_TREEM;
  if (treem_registry_conflicts(&buf, reg, g_user, g_role, unit_or(""), !all, TREEM_FORMAT_JSON) !=
      TREEM_OK) {
    treem_registry_free(reg);
    return treem_fail("conflicts");
  }
  treem_registry_free(reg);
  print_buf(&buf);
  return 0;
}

static int cmd_resolve(int argc, char** argv) {
  treem_registry* reg;
  treem_conflict_decision decision;
  uint64_t seq = 0;
  if (argc != 4) return EXIT_USAGE;
  if (strcmp(argv[2], "keep") == 0)
    decision = TREEM_CONFLICT_KEEP_CURRENT;
  else if (strcmp(argv[2], "take") == 0)
    decision = TREEM_CONFLICT_TAKE_INCOMING;
  else
    return EXIT_USAGE;
  reg = open_store(argv[0], 0, NULL, NULL);
  if (reg == NULL) return EXIT_TREEM;
  if (treem_registry_resolve_conflict(&seq, reg, g_user, g_role, unit_or(""), argv[1], decision,
                                      argv[3]) != TREEM_OK) {
    treem_registry_free(reg);
    return treem_fail("resolve");
  }
  treem_registry_free(reg);
  if (!g_quiet) printf("conflict closed at command %llu\n", (unsigned long long)seq);
  return 0;
}

int main(int argc, char** argv) {
  int i = 1, rc;
  const char* cmd;
  while (i < argc && strncmp(argv[i], "--", 2) == 0) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(argv[i], "--version") == 0) {
      printf("treem-commune (treem %s)\n", treem_version_string());
      return 0;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      g_quiet = 1;
      ++i;
    } else if (i + 1 < argc && strcmp(argv[i], "--user") == 0) {
      g_user = argv[i + 1];
      i += 2;
    } else if (i + 1 < argc && strcmp(argv[i], "--units") == 0) {
      g_units_dir = argv[i + 1];
      i += 2;
    } else if (i + 1 < argc && strcmp(argv[i], "--unit") == 0) {
      g_unit = argv[i + 1];
      i += 2;
    } else if (i + 1 < argc && strcmp(argv[i], "--role") == 0) {
      if (!parse_role(argv[i + 1], &g_role)) {
        fprintf(stderr, "treem-commune: --role: unknown role '%s'\n", argv[i + 1]);
        return EXIT_USAGE;
      }
      i += 2;
    } else {
      fprintf(stderr, "treem-commune: unknown option '%s'\n", argv[i]);
      usage(stderr);
      return EXIT_USAGE;
    }
  }
  if (i >= argc) {
    usage(stderr);
    return EXIT_USAGE;
  }
  cmd = argv[i++];
  argc -= i;
  argv += i;
  if (strcmp(cmd, "init") == 0)
    rc = cmd_init(argc, argv);
  else if (strcmp(cmd, "import") == 0)
    rc = cmd_import(argc, argv);
  else if (strcmp(cmd, "apply") == 0)
    rc = cmd_apply(argc, argv);
  else if (strcmp(cmd, "get") == 0)
    rc = cmd_get(argc, argv, 0);
  else if (strcmp(cmd, "history") == 0)
    rc = cmd_get(argc, argv, 1);
  else if (strcmp(cmd, "classify") == 0)
    rc = cmd_rules(argc, argv, 0);
  else if (strcmp(cmd, "screen") == 0)
    rc = cmd_rules(argc, argv, 1);
  else if (strcmp(cmd, "due") == 0)
    rc = cmd_due(argc, argv);
  else if (strcmp(cmd, "report") == 0)
    rc = cmd_report(argc, argv);
  else if (strcmp(cmd, "export") == 0)
    rc = cmd_export(argc, argv);
  else if (strcmp(cmd, "checkpoint") == 0)
    rc = cmd_checkpoint(argc, argv);
  else if (strcmp(cmd, "units") == 0)
    rc = cmd_units(argc, argv);
  else if (strcmp(cmd, "export-journal") == 0)
    rc = cmd_export_journal(argc, argv);
  else if (strcmp(cmd, "merge") == 0)
    rc = cmd_merge(argc, argv);
  else if (strcmp(cmd, "conflicts") == 0)
    rc = cmd_conflicts(argc, argv);
  else if (strcmp(cmd, "resolve") == 0)
    rc = cmd_resolve(argc, argv);
  else {
    fprintf(stderr, "treem-commune: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
  }
  if (rc == EXIT_USAGE) {
    fprintf(stderr, "treem-commune: bad arguments for '%s'\n", cmd);
    usage(stderr);
  }
  return rc;
}
