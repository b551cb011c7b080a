/* A minimal out-of-tree consumer of the installed C API. */
#include <stdio.h>
#include <string.h>
#include <treem.h>

int main(void) {
  treem_units *units = NULL;
  if (treem_version_number() / 10000 != TREEM_VERSION_MAJOR) {
    fprintf(stderr, "header and library majors differ\n");
    return 1;
  }
  if (treem_units_open_dir(&units, NULL) != TREEM_INVALID_ARGUMENT) return 2;
  if (strlen(treem_error_last()->message) == 0) return 3;
  printf("treem %s linked\n", treem_version_string());
  return 0;
}
