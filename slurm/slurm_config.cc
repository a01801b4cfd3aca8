// Slurm settings from slurm.yaml and from the engine's options map.

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "slurm/slurm_executor.h"
#include "slurm/slurm_script.h"

namespace salvo {

Status ApplySlurmConfigFile(const std::string& path, SlurmOptions* options) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Status::Invalid("cannot read Slurm settings " + path + ": " + e.what());
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) return Status::Invalid(path + ": expected a map of Slurm settings");

  static const std::set<std::string> kKeys = {"partition",      "account",    "time",
                                              "gpus-per-trial", "extra-args", "signal",
                                              "poll-interval",  "hold-wait",  "max-jobs"};
  std::vector<std::string> args;
  try {
    for (const auto& item : root) {
      std::string key = item.first.as<std::string>();
      if (!kKeys.count(key))
        return Status::Invalid(path + ": unknown Slurm setting '" + key + "'");
    }
    auto text = [&](const char* key) {
      return root[key] && !root[key].IsNull() ? root[key].as<std::string>() : "";
    };
    if (!text("partition").empty()) args.push_back("--partition=" + text("partition"));
    if (!text("account").empty()) args.push_back("--account=" + text("account"));
    if (!text("time").empty()) args.push_back("--time=" + text("time"));
    if (root["gpus-per-trial"]) {
      int gpus = root["gpus-per-trial"].as<int>();
      if (gpus < 0) return Status::Invalid(path + ": gpus-per-trial must be 0 or more");
      if (gpus > 0) args.push_back("--gpus=" + std::to_string(gpus));
    }
    if (root["extra-args"]) {
      for (const auto& a : root["extra-args"]) args.push_back(a.as<std::string>());
    }
    if (root["signal"]) options->signal = text("signal");
    if (root["poll-interval"]) {
      double s = root["poll-interval"].as<double>();
      if (!(s > 0)) return Status::Invalid(path + ": poll-interval must be positive");
      options->poll_interval = std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
    }
    if (root["hold-wait"]) options->hold_wait_s = root["hold-wait"].as<int64_t>();
    if (root["max-jobs"]) options->max_jobs = root["max-jobs"].as<int>();
  } catch (const YAML::Exception& e) {
    return Status::Invalid(path + ": " + e.what());
  }
  auto lines = SbatchOptionLines(args);
  if (!lines.ok()) return Status::Invalid(path + ": " + lines.status().message());
  options->sbatch_args.insert(options->sbatch_args.begin(), lines->begin(), lines->end());
  return Status::Ok();
}

namespace {

std::string DefaultConfigPath() {
  if (const char* env = std::getenv("SALVO_SLURM_CONFIG"); env && *env) return env;
  std::error_code ec;
  if (std::filesystem::exists("slurm.yaml", ec)) return "slurm.yaml";
  const char* home = std::getenv("SALVO_HOME");
  const char* user_home = std::getenv("HOME");
  std::string dir = home && *home ? std::string(home)
                                  : std::string(user_home ? user_home : "") + "/.salvo";
  if (std::filesystem::exists(dir + "/slurm.yaml", ec)) return dir + "/slurm.yaml";
  return "";
}

}  // namespace

Result<SlurmOptions> SlurmOptionsFromMap(
    const std::map<std::string, std::vector<std::string>>& map) {
  SlurmOptions options;
  auto first = [&map](const char* key) -> std::string {
    auto it = map.find(key);
    return it == map.end() || it->second.empty() ? "" : it->second.front();
  };
  std::string config = first("config");
  if (config.empty()) config = DefaultConfigPath();
  if (!config.empty()) SALVO_RETURN_IF_ERROR(ApplySlurmConfigFile(config, &options));

  if (auto it = map.find("sbatch-arg"); it != map.end()) {
    auto lines = SbatchOptionLines(it->second);
    if (!lines.ok()) return lines.status();
    options.sbatch_args.insert(options.sbatch_args.end(), lines->begin(), lines->end());
  }
  if (std::string objective = first("objective"); !objective.empty())
    options.objective = objective;
  options.salvo_path = first("salvo");
  return options;
}

}  // namespace salvo
