#include "coordinator/operation.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/trial_runner.h"
#include "coordinator/flag_io.h"

namespace salvo {
namespace fs = std::filesystem;

std::string ChoosePython(const OperationDef& op) {
  if (!op.python.empty()) return op.python;
  if (const char* p = std::getenv("SALVO_PYTHON"); p && *p) return p;
  return "python3";
}

namespace {

Result<FlagValue> FromYaml(const YAML::Node& node, const std::string& where) {
  return FlagValueFromYaml(node, where);
}

const std::set<std::string> kOpKeys = {"main",
                                       "exec",
                                       "flags",
                                       "objective",
                                       "output-scalars",
                                       "python",
                                       "sourcecode",
                                       "optimizers",
                                       "description",
                                       "flags-dest",
                                       "default-max-trials"};
const std::set<std::string> kFlagKeys = {"default",     "type",    "choices",
                                         "min",         "max",     "distribution",
                                         "description", "required"};

Status ParseFlagDef(const std::string& name, const YAML::Node& node, FlagDef& def,
                    std::vector<std::string>& warnings) {
  std::string where = "flag '" + name + "'";
  if (!node.IsMap()) {
    auto v = FromYaml(node, where);
    if (!v.ok()) return v.status();
    def.default_value = *v;
    return Status::Ok();
  }
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (!kFlagKeys.count(key))
      warnings.push_back("unknown key '" + key + "' in " + where);
  }
  if (node["type"]) {
    auto t = ParseFlagType(node["type"].as<std::string>());
    if (!t.ok()) return Status::Invalid(where + ": " + t.status().message());
    def.type = *t;
  }
  if (node["default"]) {
    auto v = FromYaml(node["default"], where);
    if (!v.ok()) return v.status();
    def.default_value = *v;
  }
  if (node["choices"]) {
    auto v = FromYaml(node["choices"], where);
    if (!v.ok()) return v.status();
    if (!v->is_list()) return Status::Invalid(where + ": choices must be a list");
    def.choices = v->list();
  }
  for (const char* bound : {"min", "max"}) {
    if (!node[bound]) continue;
    auto v = FromYaml(node[bound], where);
    if (!v.ok()) return v.status();
    if (!v->is_number())
      return Status::Invalid(where + ": " + bound + " must be a number");
    (std::string(bound) == "min" ? def.min : def.max) = *v;
  }
  if (node["distribution"]) {
    def.distribution = node["distribution"].as<std::string>();
    if (def.distribution == "log-uniform") def.distribution = "loguniform";
    if (def.distribution != "uniform" && def.distribution != "loguniform")
      return Status::Invalid(where + ": unknown distribution '" + def.distribution +
                             "' (uniform or loguniform)");
  }
  if (node["description"]) def.description = node["description"].as<std::string>();

  // What the file says must hold together; a contradiction is an error, not a trial.
  if (def.min && def.max && *def.min->number() > *def.max->number())
    return Status::Invalid(where + ": min " + EncodeFlagValue(*def.min) +
                           " is above max " + EncodeFlagValue(*def.max));
  const FlagValue& d = def.default_value;
  bool numeric_type = def.type == FlagType::kInt || def.type == FlagType::kFloat ||
                      def.type == FlagType::kNumber;
  if (numeric_type && d.kind() == FlagValue::Kind::kString)
    return Status::Invalid(where + ": default " + EncodeFlagValue(d) +
                           " is not a number");
  if (def.type == FlagType::kBoolean && !d.is_null() &&
      d.kind() != FlagValue::Kind::kBool)
    return Status::Invalid(where + ": default " + EncodeFlagValue(d) +
                           " is not a boolean");
  if (!def.choices.empty() && !d.is_null() && !d.is_list() && !d.is_function() &&
      std::find(def.choices.begin(), def.choices.end(), d) == def.choices.end())
    return Status::Invalid(where + ": default " + EncodeFlagValue(d) +
                           " is not one of its choices");
  return Status::Ok();
}

// Checks the ${...} references of an `exec` command: each must be closed and name a
// flag of the operation, flag_args or source_dir.
Status CheckExec(const std::string& exec, const std::map<std::string, FlagDef>& flags,
                 const std::string& where) {
  if (exec.find_first_not_of(" \t\n") == std::string::npos)
    return Status::Invalid(where + ": exec is empty");
  for (size_t i = exec.find("${"); i != std::string::npos; i = exec.find("${", i + 2)) {
    size_t end = exec.find('}', i);
    if (end == std::string::npos)
      return Status::Invalid(where + ": exec has an unclosed '${' at column " +
                             std::to_string(i + 1));
    std::string name = exec.substr(i + 2, end - i - 2);
    if (name == "flag_args" || name == "source_dir" || flags.count(name)) continue;
    std::string known;
    for (const auto& [n, def] : flags) known += (known.empty() ? "" : ", ") + n;
    return Status::Invalid(where + ": exec refers to ${" + name +
                           "}, which is not a flag (" +
                           (known.empty() ? "it has none" : "flags: " + known) +
                           "; also ${flag_args} and ${source_dir})");
  }
  return Status::Ok();
}

std::vector<std::string> StringList(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node) return out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
  } else {
    for (const auto& item : node) out.push_back(item.as<std::string>());
  }
  return out;
}

Result<OperationDef> ParseOperation(const std::string& name, const YAML::Node& node,
                                    const std::string& file) {
  OperationDef op;
  op.name = name;
  op.op_file = file;
  op.source_dir = fs::path(file).parent_path().string();
  std::string where = file + ": operation '" + name + "'";
  if (!node.IsMap()) return Status::Invalid(where + " must be a map");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (!kOpKeys.count(key))
      op.warnings.push_back("unknown key '" + key + "' in " + where);
  }
  if (node["main"]) {
    op.main = node["main"].as<std::string>();
    if (op.main.find(' ') != std::string::npos)
      return Status::Invalid(where +
                             ": main takes a script or module name, not arguments");
    if (fs::path(op.main).extension() != ".py") op.main += ".py";
    std::string main_file = op.source_dir + "/" + op.main;
    if (!fs::exists(main_file)) {
      // A dotted module name: pkg.mod → pkg/mod.py.
      std::string mod = op.main.substr(0, op.main.size() - 3);
      for (char& c : mod)
        if (c == '.') c = '/';
      if (fs::exists(op.source_dir + "/" + mod + ".py"))
        op.main = mod + ".py";
      else
        return Status::Invalid(where + ": cannot find main '" + op.main + "'");
    }
    if (node["exec"]) return Status::Invalid(where + ": give `main` or `exec`, not both");
  } else if (node["exec"]) {
    op.exec = node["exec"].as<std::string>();
  } else {
    return Status::Invalid(where + " needs `main` or `exec`");
  }
  if (node["flags-dest"]) op.flags_dest = node["flags-dest"].as<std::string>();
  if (node["python"]) op.python = node["python"].as<std::string>();
  if (auto flags = node["flags"]) {
    if (!flags.IsMap()) return Status::Invalid(where + ": flags must be a map");
    for (const auto& kv : flags) {
      std::string fname = kv.first.as<std::string>();
      FlagDef def;
      Status parsed = ParseFlagDef(fname, kv.second, def, op.warnings);
      if (!parsed.ok()) return Status::Invalid(where + ": " + parsed.message());
      op.flags[fname] = def;
    }
  }
  if (node["exec"]) SALVO_RETURN_IF_ERROR(CheckExec(op.exec, op.flags, where));
  if (auto obj = node["objective"]) {
    if (obj.IsMap() && obj["maximize"] && obj["minimize"])
      return Status::Invalid(where + ": objective gives both minimize and maximize");
    if (obj.IsScalar()) {
      std::string text = obj.as<std::string>();
      op.maximize = !text.empty() && text[0] == '-';
      op.objective = op.maximize ? text.substr(1) : text;
    } else if (obj["maximize"]) {
      op.objective = obj["maximize"].as<std::string>();
      op.maximize = true;
    } else if (obj["minimize"]) {
      op.objective = obj["minimize"].as<std::string>();
    } else {
      return Status::Invalid(where +
                             ": objective must be a name, or minimize:/maximize:");
    }
  }
  if (auto os = node["output-scalars"]) {
    if (os.IsScalar() &&
        (os.as<std::string>() == "no" || os.as<std::string>() == "false")) {
      op.output_scalars_off = true;
    } else if (os.IsMap()) {
      for (const auto& kv : os)
        op.output_scalars.push_back(
            {kv.first.as<std::string>(), kv.second.as<std::string>()});
    } else if (os.IsSequence()) {
      for (const auto& item : os) {
        if (item.IsScalar()) {
          op.output_scalars.push_back({"", item.as<std::string>()});
        } else {
          for (const auto& kv : item)
            op.output_scalars.push_back(
                {kv.first.as<std::string>(), kv.second.as<std::string>()});
        }
      }
    }
  }
  if (!op.output_scalars.empty()) {
    auto parser = OutputScalarParser::Make({}, op.output_scalars);
    if (!parser.ok()) return Status::Invalid(where + ": " + parser.status().message());
  }
  if (auto sc = node["sourcecode"]) {
    if (sc.IsSequence() || sc.IsScalar()) {
      op.source_include = StringList(sc);
    } else {
      op.source_include = StringList(sc["include"]);
      op.source_exclude = StringList(sc["exclude"]);
      if (sc["max-file-size"])
        op.source_max_file_bytes = sc["max-file-size"].as<int64_t>();
    }
  }
  return op;
}

Result<std::optional<OperationDef>> FromOperationFile(const std::string& spec,
                                                      const std::string& cwd) {
  for (const char* name : {"salvo.yml", "guild.yml"}) {
    std::string file = cwd + "/" + name;
    if (!fs::exists(file)) continue;
    YAML::Node root;
    try {
      root = YAML::LoadFile(file);
    } catch (const std::exception& e) {
      return Status::Invalid("cannot read " + file + ": " + e.what());
    }
    if (!root.IsMap()) return Status::Invalid(file + ": expected a map of operations");
    auto node = root[spec];
    if (!node) return std::optional<OperationDef>();
    try {
      auto op = ParseOperation(spec, node, file);
      if (!op.ok()) return op.status();
      return std::optional<OperationDef>(std::move(*op));
    } catch (const YAML::Exception& e) {
      return Status::Invalid(file + ": operation '" + spec + "': " + e.what());
    }
  }
  return std::optional<OperationDef>();
}

}  // namespace

namespace {

// Where the inspection of a script is cached: a file per script version and interpreter,
// beside the launcher. Inspecting starts an interpreter, which costs more than a small
// trial; the cache makes it a once-per-edit cost.
std::string InspectCachePath(const std::string& script, const std::string& python,
                             const std::string& launcher_path) {
  std::error_code ec;
  auto mtime = fs::last_write_time(script, ec).time_since_epoch().count();
  auto size = fs::file_size(script, ec);
  // A new launcher (another Salvo) may read scripts differently: its file's time and
  // size are part of the key.
  auto launcher_mtime = fs::last_write_time(launcher_path, ec).time_since_epoch().count();
  auto launcher_size = fs::file_size(launcher_path, ec);
  std::string key = script + "\n" + python + "\n" + std::to_string(mtime) + "\n" +
                    std::to_string(size) + "\n" + std::to_string(launcher_mtime) + "\n" +
                    std::to_string(launcher_size);
  std::string dir = fs::path(launcher_path).parent_path().string() + "/inspect";
  fs::create_directories(dir, ec);
  return dir + "/" + std::to_string(std::hash<std::string>()(key)) + ".json";
}

}  // namespace

Status InspectScriptFlags(OperationDef& op, const std::string& launcher_path) {
  std::string script = op.source_dir + "/" + op.main;
  std::string cache = InspectCachePath(script, ChoosePython(op), launcher_path);
  Result<std::string> out = Status::NotFound("");
  if (std::ifstream in(cache); in) {
    out = std::string((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
  } else {
    out = RunAndCapture({ChoosePython(op), launcher_path, "inspect", script});
    if (out.ok()) {
      std::string tmp = cache + ".tmp";
      std::ofstream(tmp) << *out;
      std::error_code ec;
      fs::rename(tmp, cache, ec);
    }
  }
  if (!out.ok()) {
    return Status::Invalid("cannot read the flags of " + op.main + " with " +
                           ChoosePython(op) + ": " + out.status().message());
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*out);
  } catch (const std::exception& e) {
    return Status::Invalid("cannot read the flags of " + op.main + ": " + e.what());
  }
  if (op.flags_dest == "auto") op.flags_dest = j.value("dest", "globals");
  for (const auto& [name, value] : j["flags"].items()) {
    if (op.flags.count(name)) continue;  // the operation file's definition wins
    FlagDef def;
    auto decoded = FlagValueFromJson(value, "flag " + name);
    def.default_value = decoded.ok() ? *decoded : FlagValue::Null();
    def.type = def.default_value.is_number() ? FlagType::kNumber : FlagType::kAuto;
    op.flags[name] = def;
  }
  return Status::Ok();
}

Result<OperationDef> ResolveOperation(const std::string& spec, const std::string& cwd,
                                      const std::string& launcher_path) {
  auto from_file = FromOperationFile(spec, cwd);
  if (!from_file.ok()) return from_file.status();
  if (from_file->has_value()) {
    OperationDef op = std::move(**from_file);
    if (!op.main.empty()) SALVO_RETURN_IF_ERROR(InspectScriptFlags(op, launcher_path));
    return op;
  }

  fs::path path = fs::path(spec).is_absolute() ? fs::path(spec) : fs::path(cwd) / spec;
  if (!fs::exists(path)) {
    return Status::Invalid("cannot find operation '" + spec +
                           "': no such file, and no operation of that name in salvo.yml");
  }
  if (fs::is_directory(path))
    return Status::Invalid("'" + spec + "' is a folder, not a script");
  if (path.extension() != ".py")
    return Status::Invalid("cannot run '" + spec +
                           "': only Python scripts (.py) run directly; "
                           "define other commands with `exec` in salvo.yml");
  OperationDef op;
  op.name = path.filename().string();
  op.source_dir = fs::weakly_canonical(path).parent_path().string();
  op.main = path.filename().string();
  SALVO_RETURN_IF_ERROR(InspectScriptFlags(op, launcher_path));
  return op;
}

namespace {

bool Matches(const std::vector<std::string>& patterns, const std::string& rel) {
  std::string base = fs::path(rel).filename().string();
  for (const auto& p : patterns) {
    if (fnmatch(p.c_str(), rel.c_str(), 0) == 0 ||
        fnmatch(p.c_str(), base.c_str(), 0) == 0)
      return true;
  }
  return false;
}

bool SkippedFolder(const std::string& name) {
  static const std::set<std::string> kSkip = {"__pycache__", "node_modules", "venv",
                                              "env", "site-packages"};
  return name.empty() || name[0] == '.' || kSkip.count(name) ||
         name.rfind("build", 0) == 0;
}

}  // namespace

Result<std::vector<std::string>> SnapshotSource(const OperationDef& op,
                                                const std::string& dest,
                                                const std::vector<std::string>& skip) {
  std::vector<fs::path> skipped;
  for (const auto& dir : skip) skipped.push_back(fs::weakly_canonical(dir));
  skipped.push_back(fs::weakly_canonical(dest));
  constexpr int kMaxFiles = 1000;
  std::vector<std::string> warnings;
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return Status::IoError("cannot create " + dest + ": " + ec.message());

  int copied = 0, too_large = 0, over_count = 0;
  fs::recursive_directory_iterator it(op.source_dir,
                                      fs::directory_options::skip_permission_denied, ec);
  if (ec) return Status::IoError("cannot read " + op.source_dir + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& p = it->path();
    std::string rel = fs::relative(p, op.source_dir).string();
    if (it->is_directory()) {
      bool inside_skip = std::find(skipped.begin(), skipped.end(),
                                   fs::weakly_canonical(p)) != skipped.end();
      if (inside_skip ||
          (SkippedFolder(p.filename().string()) && !Matches(op.source_include, rel)))
        it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    bool required = rel == op.main;
    if (!required) {
      if (Matches(op.source_exclude, rel)) continue;
      if (!op.source_include.empty() && !Matches(op.source_include, rel)) continue;
      if (static_cast<int64_t>(it->file_size()) > op.source_max_file_bytes) {
        ++too_large;
        continue;
      }
      if (copied >= kMaxFiles) {
        ++over_count;
        continue;
      }
    }
    fs::path target = fs::path(dest) / rel;
    fs::create_directories(target.parent_path(), ec);
    fs::copy_file(p, target, fs::copy_options::overwrite_existing, ec);
    if (ec) return Status::IoError("cannot copy " + p.string() + ": " + ec.message());
    ++copied;
  }
  if (too_large)
    warnings.push_back(std::to_string(too_large) + " source file(s) over " +
                       std::to_string(op.source_max_file_bytes) +
                       " bytes left out of the snapshot");
  if (over_count)
    warnings.push_back(std::to_string(over_count) + " source file(s) past the " +
                       std::to_string(kMaxFiles) +
                       "-file limit left out of the snapshot");
  return warnings;
}

}  // namespace salvo
