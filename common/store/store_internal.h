#pragma once
// Checks shared by the RocksDB store and the in-memory store, so that both refuse the
// same input. Internal to common/store.

#include <string_view>

#include "common/core/status.h"

namespace salvo::store_internal {

// A run id must be non-empty and free of '/' and NUL (the RocksDB key layout uses '/'
// as its separator). kInvalidArgument otherwise.
Status CheckRunId(std::string_view id);

// A meta key must be non-empty. kInvalidArgument otherwise.
Status CheckMetaKey(std::string_view key);

}  // namespace salvo::store_internal
