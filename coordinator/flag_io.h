#pragma once
// Flag values read from JSON and YAML documents (the launcher's inspection, operation
// files, batch files). YAML scalars decode by the command line's rules, so `1e-3`, `yes`
// and `logspace[...]` mean the same in a file as after NAME=.

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/core/flag_value.h"
#include "common/core/status.h"

namespace salvo {

// Objects are not flag values: an error naming `where`.
Result<FlagValue> FlagValueFromJson(const nlohmann::json& j, const std::string& where);
// A quoted YAML string stays a string; maps are an error naming `where`.
Result<FlagValue> FlagValueFromYaml(const YAML::Node& node, const std::string& where);

}  // namespace salvo
