// LoadAgentConfig: the YAML form of AgentOptions (configs/agent.yaml).

#include <yaml-cpp/yaml.h>

#include "agent/agent.h"

namespace salvo {
namespace {

// "0,1,2" or a YAML list of integers.
std::vector<int> ReadGpus(const YAML::Node& node) {
  if (node.IsSequence()) return node.as<std::vector<int>>();
  std::vector<int> gpus;
  std::string text = node.as<std::string>();
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    gpus.push_back(YAML::Load(text.substr(start, comma - start)).as<int>());
    start = comma + 1;
  }
  return gpus;
}

}  // namespace

Status LoadAgentConfig(const std::string& path, AgentOptions* options) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::NotFound("cannot read agent config " + path);
  } catch (const YAML::Exception& e) {
    return Status::Invalid("agent config " + path + ": " + e.msg);
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) return Status::Invalid("agent config " + path + " is not a map");

  for (const auto& entry : root) {
    std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    try {
      if (key == "connect") {
        options->connect = value.as<std::string>();
      } else if (key == "slots") {
        options->slots = value.as<int>();
      } else if (key == "gpus") {
        options->gpus = ReadGpus(value);
      } else if (key == "gpus_per_trial") {
        options->gpus_per_trial = value.as<int>();
      } else if (key == "name") {
        options->name = value.as<std::string>();
      } else if (key == "home") {
        options->home = value.as<std::string>();
      } else if (key == "heartbeat_ms") {
        options->heartbeat_ms = value.as<int64_t>();
      } else if (key == "timeout_ms") {
        options->timeout_ms = value.as<int64_t>();
      } else if (key == "server_key") {
        options->server_key = value.as<std::string>();
      } else if (key == "key") {
        options->key = value.as<std::string>();
      } else {
        return Status::Invalid("agent config " + path + ": unknown key '" + key + "'");
      }
    } catch (const YAML::Exception&) {
      return Status::Invalid("agent config " + path + ": bad value for '" + key + "'");
    }
  }
  return Status::Ok();
}

}  // namespace salvo
