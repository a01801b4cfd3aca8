#include "coordinator/flag_io.h"

namespace salvo {

Result<FlagValue> FlagValueFromJson(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return FlagValue::Null();
  if (j.is_boolean()) return FlagValue::Bool(j.get<bool>());
  if (j.is_number_integer()) return FlagValue::Int(j.get<int64_t>());
  if (j.is_number()) return FlagValue::Float(j.get<double>());
  if (j.is_string()) return FlagValue::String(j.get<std::string>());
  if (!j.is_array()) return Status::Invalid(where + ": maps are not flag values");
  FlagList items;
  for (const auto& item : j) {
    auto v = FlagValueFromJson(item, where);
    if (!v.ok()) return v;
    items.push_back(*v);
  }
  return FlagValue::List(std::move(items));
}

Result<FlagValue> FlagValueFromYaml(const YAML::Node& node, const std::string& where) {
  if (node.IsNull()) return FlagValue::Null();
  if (node.IsSequence()) {
    FlagList items;
    for (const auto& item : node) {
      auto v = FlagValueFromYaml(item, where);
      if (!v.ok()) return v;
      items.push_back(*v);
    }
    return FlagValue::List(std::move(items));
  }
  if (!node.IsScalar()) return Status::Invalid(where + ": maps are not flag values");
  if (node.Tag() == "!") return FlagValue::String(node.Scalar());
  auto decoded = DecodeFlagValue(node.Scalar(), FlagType::kAuto, where);
  if (!decoded.ok()) return Status::Invalid(where + ": " + decoded.status().message());
  return decoded->value;
}

}  // namespace salvo
