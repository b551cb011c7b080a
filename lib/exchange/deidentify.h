// De-identified export of a snapshot for upward reporting (DOMAIN.md section 7).
//
// The output keeps the structure of the input snapshot and every number, flag and enum, and
// removes or coarsens what identifies people (docs/exchange.md lists every kept field):
//
//  - Text is removed unless the field is on the allow-list of codes and organisation names
//    (KeptTextFields(): commune codes, job and violation codes, rule and screen ids, ...). New
//    text fields added to the schema are therefore removed until someone allows them. Names,
//    national ids, addresses, phone numbers and contacts, notes, reasons, findings, consent
//    scopes, decision numbers and Actor.userId are all removed. Data fields are removed.
//  - Village codes and craft-village names are removed unless keep_village_codes.
//  - Every Uuid (record ids and references) is replaced by a keyed pseudonym (Pseudonym()):
//    the same id gives the same pseudonym everywhere in one export, so records still link
//    across tables, but without the secret nobody can map a pseudonym back to the register.
//  - Birth dates (any BirthDate) follow `birth_date`: month (day set to 1), year (1 July, flagged
//    estimated) or removed with age bands at a reference date (DeidentifiedExport only).
//  - Every other Date inside a Person or Household (drop-out, consent, membership, special
//    circumstance, death dates) is coarsened to its month (day 1); dates and instants of events
//    (cases, referrals, inspections, activities) are kept unless coarsen_event_dates.
//  - Administrative units, programme plans and indicator definitions are public and copied.
//  - The header is marked deidentified; its storeId is pseudonymised and createdBy keeps only
//    the role and unit code.
#ifndef TREEM_LIB_EXCHANGE_DEIDENTIFY_H_
#define TREEM_LIB_EXCHANGE_DEIDENTIFY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/date.h"
#include "core/ids.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/exchange.capnp.h"

namespace treem::exchange {

struct DeidentifyOptions {
  // The per-export key of the pseudonyms: at least 16 bytes, random, never stored with the
  // export. Exports made with the same secret link to each other; different secrets do not.
  std::string secret;
  // How birth dates are coarsened (MONTH by default). AGE_BAND removes them; the bands are
  // written by the DeidentifiedExport overload.
  schema::BirthDatePrecision birth_date = schema::BirthDatePrecision::MONTH;
  // The day age bands are computed on (required for AGE_BAND).
  std::optional<core::Date> reference_date;
  // Keep village codes and craft-village names (small areas: off by default).
  bool keep_village_codes = false;
  // Coarsen every other date too (events: cases, inspections, activities) to its month.
  bool coarsen_event_dates = false;
};

// Writes the de-identified copy of `in` into `out` (which should be freshly initialised: the
// copy never writes a removed value, so no trace of it is left in out's message).
absl::Status Deidentify(schema::Snapshot::Reader in, schema::Snapshot::Builder out,
                        const DeidentifyOptions& options);

// The same into a DeidentifiedExport, with one PersonAgeBand per person when birth_date is
// AGE_BAND.
absl::Status Deidentify(schema::Snapshot::Reader in, schema::DeidentifiedExport::Builder out,
                        const DeidentifyOptions& options);

// The keyed pseudonym of `id` (nil stays nil): a v5 id of the id's 16 bytes in a namespace
// derived from the secret.
core::Uuid Pseudonym(const core::Uuid& id, std::string_view secret);

// "Struct.field" names of the Text fields kept (codes and organisation names), without the
// village fields governed by keep_village_codes (VillageTextFields()).
const std::vector<std::string>& KeptTextFields();
const std::vector<std::string>& VillageTextFields();

}  // namespace treem::exchange

#endif  // TREEM_LIB_EXCHANGE_DEIDENTIFY_H_
