// Internal to the C API: the definitions of the opaque handles shared by several capi/*.cc
// files (each handle is a thin struct over the C++ object).
#ifndef TREEM_CAPI_HANDLES_H_
#define TREEM_CAPI_HANDLES_H_

#include <memory>

#include "core/admin_units.h"
#include "registry/registry.h"

struct treem_units {
  treem::core::AdminUnits impl;
};

struct treem_registry {
  std::unique_ptr<treem::registry::Registry> impl;
};

#endif  // TREEM_CAPI_HANDLES_H_
