// A short C++ example: classify one child's work with the C++ API (treem::rules) and print
// the outcome with every legal reason. Build: the `treem_classify_example` target.
//
// C++ callers link the static library treem::cpp and use the schema's generated types as
// record types; the C++ API is source-stable within a major, with no binary promise.
#include <cstdio>

#include "capnp/message.h"
#include "rules/api.h"
#include "treem/schema/rules.capnp.h"

int main() {
  auto registry = treem::rules::NewRuleRegistry();  // shipped rule sets and code lists
  if (!registry.ok()) {
    std::fprintf(stderr, "rules: %s\n", registry.status().ToString().c_str());
    return 1;
  }

  // A 13-year-old weaving rush mats for a craft-village household 25 hours a week.
  capnp::MallocMessageBuilder message;
  auto request = message.initRoot<treem::schema::ClassifyRequest>();
  auto birth = request.initBirthDate().initDate();
  birth.setYear(2011);
  birth.setMonth(3);
  birth.setDay(15);
  auto activity = request.initActivity();
  auto on = activity.initObservedOn();
  on.setYear(2024);
  on.setMonth(10);
  on.setDay(7);
  activity.setJobCode("TT09-A2-04");
  activity.setHoursPerDay(5);
  activity.setHoursPerWeek(25);

  capnp::MallocMessageBuilder out;
  auto result = out.initRoot<treem::schema::ClassificationResult>();
  if (auto s = treem::rules::Classify(**registry, request.asReader(), result); !s.ok()) {
    std::fprintf(stderr, "classify: %s\n", s.ToString().c_str());
    return 1;
  }
  auto legal = result.getLegal();
  std::printf("rule set %s %s: outcome %u (age %d)\n", legal.getRuleSet().getId().cStr(),
              legal.getRuleSet().getVersion().cStr(), static_cast<unsigned>(legal.getOutcome()),
              result.getAge().getAge());
  for (auto v : legal.getViolations()) {
    std::printf("  %s (%s %s): %s\n", v.getCode().cStr(), v.getCitation().getInstrument().cStr(),
                v.getCitation().getArticle().cStr(), v.getExplanation().cStr());
  }
  return legal.getViolations().size() > 0 ? 0 : 1;
}
