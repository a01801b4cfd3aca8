#include "common/store/store_internal.h"

#include <string>

namespace salvo::store_internal {

Status CheckRunId(std::string_view id) {
  if (id.empty()) return Status::Invalid("a run id is empty");
  if (id == "." || id == "..")
    return Status::Invalid("run id '" + std::string(id) + "' is not a name");
  if (id.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos) {
    return Status::Invalid("run id '" + std::string(id) + "' contains '/' or NUL");
  }
  return Status::Ok();
}

Status CheckMetaKey(std::string_view key) {
  if (key.empty()) return Status::Invalid("a meta key is empty");
  return Status::Ok();
}

}  // namespace salvo::store_internal
