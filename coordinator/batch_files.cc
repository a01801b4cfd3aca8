#include "coordinator/batch_files.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "coordinator/flag_io.h"

namespace salvo {
namespace fs = std::filesystem;

namespace {

Result<FlagValue> DecodeCell(const std::string& text, const std::string& where) {
  auto decoded = DecodeFlagValue(text, FlagType::kAuto, where);
  if (!decoded.ok()) return Status::Invalid(where + ": " + decoded.status().message());
  return decoded->value;
}

// Splits one CSV record: commas, double-quoted fields with "" for a quote.
std::vector<std::string> CsvFields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

Result<std::vector<FlagMap>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return std::vector<FlagMap>();
  std::vector<std::string> header = CsvFields(line);
  std::vector<FlagMap> rows;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    auto cells = CsvFields(line);
    if (cells.size() > header.size())
      return Status::Invalid("batch file " + path + " line " + std::to_string(number) +
                             ": more cells than the header has columns");
    FlagMap row;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].empty()) continue;  // a missing cell: the flag's default
      auto v =
          DecodeCell(cells[i], "batch file " + path + " line " + std::to_string(number));
      if (!v.ok()) return v.status();
      row[header[i]] = *v;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

namespace {

Result<std::vector<FlagMap>> ReadRows(const std::string& path);

}  // namespace

Result<std::vector<FlagMap>> ReadBatchFile(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return Status::Invalid("batch file " + path + " does not exist");
  if (fs::is_directory(path, ec))
    return Status::Invalid("batch file " + path + " is a folder, not a file");
  auto rows = ReadRows(path);
  // An empty file would otherwise run one trial of the defaults, which nobody asked for.
  if (rows.ok() && rows->empty())
    return Status::Invalid("batch file " + path + " holds no trials");
  return rows;
}

namespace {

Result<std::vector<FlagMap>> ReadRows(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  if (ext == ".csv") return ReadCsv(path);
  std::vector<FlagMap> rows;
  try {
    if (ext == ".json") {
      std::ifstream in(path);
      nlohmann::json doc = nlohmann::json::parse(in);
      if (doc.is_object()) doc = nlohmann::json::array({doc});
      if (!doc.is_array())
        return Status::Invalid("invalid data type for trials in " + path +
                               ": expected a list or an object");
      for (size_t i = 0; i < doc.size(); ++i) {
        if (!doc[i].is_object())
          return Status::Invalid("invalid data type for trial " + std::to_string(i + 1) +
                                 " in " + path + ": expected an object of flags");
        FlagMap row;
        for (const auto& [k, v] : doc[i].items()) {
          auto value = FlagValueFromJson(v, path + " flag " + k);
          if (!value.ok()) return value.status();
          row[k] = *value;
        }
        rows.push_back(std::move(row));
      }
      return rows;
    }
    if (ext == ".yaml" || ext == ".yml") {
      YAML::Node doc = YAML::LoadFile(path);
      if (doc.IsMap()) {
        YAML::Node list(YAML::NodeType::Sequence);
        list.push_back(doc);
        doc = list;
      }
      if (!doc.IsSequence())
        return Status::Invalid("invalid data type for trials in " + path +
                               ": expected a list or a map");
      for (size_t i = 0; i < doc.size(); ++i) {
        if (!doc[i].IsMap())
          return Status::Invalid("invalid data type for trial " + std::to_string(i + 1) +
                                 " in " + path + ": expected a map of flags");
        FlagMap row;
        for (const auto& kv : doc[i]) {
          std::string k = kv.first.as<std::string>();
          auto value = FlagValueFromYaml(kv.second, path + " flag " + k);
          if (!value.ok()) return value.status();
          row[k] = *value;
        }
        rows.push_back(std::move(row));
      }
      return rows;
    }
  } catch (const std::exception& e) {
    return Status::Invalid("cannot read batch file " + path + ": " + e.what());
  }
  return Status::Invalid("cannot read trials for " + path +
                         ": unsupported extension (use .csv, .json, .yaml or .yml)");
}

}  // namespace

std::vector<FlagMap> ExpandBatchRows(const std::vector<FlagMap>& rows,
                                     const FlagMap& defaults, const FlagMap& cli) {
  // The command line's lists, crossed in name order with the last varying fastest.
  std::vector<FlagMap> combos(1);
  for (const auto& [name, value] : cli) {
    std::vector<FlagMap> next;
    for (const auto& combo : combos) {
      if (value.is_list()) {
        for (const auto& item : value.list()) {
          FlagMap c = combo;
          c[name] = item;
          next.push_back(std::move(c));
        }
      } else {
        FlagMap c = combo;
        c[name] = value;
        next.push_back(std::move(c));
      }
    }
    combos = std::move(next);
  }
  std::vector<FlagMap> out;
  for (const auto& row : rows) {
    for (const auto& combo : combos) {
      FlagMap flags = defaults;
      for (const auto& [k, v] : row) flags[k] = v;
      for (const auto& [k, v] : combo) flags[k] = v;
      out.push_back(std::move(flags));
    }
  }
  return out;
}

}  // namespace salvo
