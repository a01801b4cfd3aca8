// Decoding flag values. The order of the reference decides what a text means: a
// declared type first (falling back on failure), then int, float, flag functions and
// sequences, list repetition, flow lists and finally YAML 1.1 scalars. Lists are split
// by yaml-cpp, but their items are typed here by the same scalar rules as a whole
// value, since yaml-cpp reads YAML 1.2.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

#include "common/core/flag_value_internal.h"

namespace salvo {
namespace {

using flag_internal::DecodeScalar;
using flag_internal::kMaxListValues;
using flag_internal::ParsePythonFloat;
using flag_internal::ParsePythonInt;
using flag_internal::Trim;

bool IsFunctionNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool IsBracketed(std::string_view s, char open, char close) {
  return s.size() >= 2 && s.front() == open && s.back() == close;
}

// A flag function as typed: `name[a:b:c]` or the anonymous `[a:b]`.
struct FunctionText {
  std::string name;
  std::string_view inner;  // between the brackets
};

// Any name of letters, digits, `_`, `.` and `-` followed by brackets is a function;
// the anonymous form needs a `:` and no list punctuation or quotes inside, so `[1]`,
// `[1,2,3]` and `['a:b']` stay lists.
std::optional<FunctionText> SplitFunction(std::string_view s) {
  if (s.size() < 2 || s.back() != ']') return std::nullopt;
  size_t open = s.find('[');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view name = s.substr(0, open);
  std::string_view inner = s.substr(open + 1, s.size() - open - 2);

  if (name.empty()) {
    bool anonymous = inner.find(':') != std::string_view::npos &&
                     inner.find_first_of(",[]{}'\"") == std::string_view::npos;
    if (!anonymous) return std::nullopt;
  } else if (!std::all_of(name.begin(), name.end(), IsFunctionNameChar)) {
    return std::nullopt;
  }
  return FunctionText{std::string(name), inner};
}

// A function keeps its text and its decoded arguments; a sequence becomes its list.
Result<FlagValue> DecodeFunction(const FunctionText& fn, std::string_view text,
                                 std::vector<std::string>* warnings) {
  std::vector<std::string> arg_texts;
  std::vector<FlagValue> args;
  if (!Trim(fn.inner).empty()) {
    std::string_view rest = fn.inner;
    while (true) {
      size_t colon = rest.find(':');
      std::string_view arg = Trim(rest.substr(0, colon));
      if (arg.empty()) {
        return Status::Invalid("empty argument in '" + std::string(text) + "'");
      }
      arg_texts.emplace_back(arg);
      args.push_back(DecodeScalar(arg));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }

  if (flag_internal::IsSequenceFunction(fn.name)) {
    Result<FlagList> list =
        flag_internal::ExpandSequence(fn.name, args, arg_texts, text, warnings);
    if (!list.ok()) return list.status();
    return FlagValue::List(std::move(*list));
  }
  return FlagValue::Function({fn.name, std::move(args), std::string(text)});
}

// A flow list: yaml-cpp splits it and says which items were quoted.
Result<FlagValue> DecodeList(std::string_view text) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::Invalid("cannot read '" + std::string(text) + "' as a list: " + e.msg);
  }
  if (!node.IsSequence()) {
    return Status::Invalid("cannot read '" + std::string(text) + "' as a list");
  }
  if (node.size() > kMaxListValues) {
    return Status::Invalid("a list may hold at most " + std::to_string(kMaxListValues) +
                           " values");
  }

  FlagList items;
  for (const YAML::Node& item : node) {
    if (item.IsSequence()) return Status::Invalid("nested lists are not flag values");
    if (item.IsMap()) return Status::Invalid("maps are not flag values");
    if (item.IsNull()) {
      items.push_back(FlagValue::Null());
    } else if (item.Tag() == "?") {
      items.push_back(DecodeScalar(item.Scalar()));
    } else {
      items.push_back(FlagValue::String(item.Scalar()));  // quoted or tagged
    }
  }
  return FlagValue::List(std::move(items));
}

Result<FlagValue> DecodeAuto(std::string_view text, std::vector<std::string>* warnings);

// `[..] * N`: the list repeated N times, as in the reference's
// `(\[.*\])\s*\*\s*([0-9]+)$`.
std::optional<Result<FlagValue>> DecodeRepetition(std::string_view s,
                                                  std::vector<std::string>* warnings) {
  size_t star = s.rfind('*');
  if (star == std::string_view::npos || s.empty() || s.front() != '[') {
    return std::nullopt;
  }
  std::string_view count_text = Trim(s.substr(star + 1));
  std::string_view list_text = Trim(s.substr(0, star));
  bool digits =
      !count_text.empty() && std::all_of(count_text.begin(), count_text.end(),
                                         [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || list_text.back() != ']') return std::nullopt;

  Result<FlagValue> list = DecodeAuto(list_text, warnings);
  if (!list.ok()) return list;
  if (!list->is_list()) {
    return Status::Invalid("only a list can be repeated: '" + std::string(s) + "'");
  }
  uint64_t count = 0;
  auto [ptr, ec] =
      std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  size_t size = list->list().size();
  if (ec != std::errc() || (size > 0 && count > kMaxListValues / size)) {
    return Status::Invalid("'" + std::string(s) + "' gives more than " +
                           std::to_string(kMaxListValues) + " values");
  }

  FlagList repeated;
  for (uint64_t i = 0; i < count; ++i) {
    repeated.insert(repeated.end(), list->list().begin(), list->list().end());
  }
  return FlagValue::List(std::move(repeated));
}

Result<FlagValue> DecodeAuto(std::string_view text, std::vector<std::string>* warnings) {
  std::string_view s = Trim(text);
  if (std::optional<int64_t> i = ParsePythonInt(s)) return FlagValue::Int(*i);
  if (std::optional<double> d = ParsePythonFloat(s)) return FlagValue::Float(*d);
  if (std::optional<FunctionText> fn = SplitFunction(s)) {
    return DecodeFunction(*fn, s, warnings);
  }
  if (std::optional<Result<FlagValue>> repeated = DecodeRepetition(s, warnings)) {
    return std::move(*repeated);
  }
  if (IsBracketed(s, '[', ']')) return DecodeList(s);
  if (IsBracketed(s, '{', '}')) return Status::Invalid("maps are not flag values");
  return DecodeScalar(s);
}

// A declared type's decoder; nullopt sends the text on to the untyped rules.
std::optional<FlagValue> DecodeTyped(std::string_view text, FlagType type) {
  switch (type) {
    case FlagType::kString:
    case FlagType::kPath:
      if (text.empty() ||
          std::string_view("['\"{").find(text[0]) == std::string_view::npos) {
        return FlagValue::String(std::string(text));
      }
      return std::nullopt;
    case FlagType::kInt:
      if (std::optional<int64_t> i = ParsePythonInt(text)) return FlagValue::Int(*i);
      return std::nullopt;
    case FlagType::kFloat:
      if (std::optional<double> d = ParsePythonFloat(text)) return FlagValue::Float(*d);
      return std::nullopt;
    case FlagType::kNumber:
      if (std::optional<int64_t> i = ParsePythonInt(text)) return FlagValue::Int(*i);
      if (std::optional<double> d = ParsePythonFloat(text)) return FlagValue::Float(*d);
      return std::nullopt;
    case FlagType::kBoolean: {
      FlagValue v = DecodeScalar(text);
      if (v.kind() == FlagValue::Kind::kBool) return v;
      if (v.is_number()) return FlagValue::Bool(*v.number() != 0);
      return std::nullopt;
    }
    case FlagType::kAuto:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

bool FlagFunction::operator==(const FlagFunction& other) const {
  return name == other.name && args == other.args;
}

std::optional<double> FlagValue::number() const {
  if (kind() == Kind::kInt) return static_cast<double>(std::get<int64_t>(v));
  if (kind() == Kind::kFloat) return std::get<double>(v);
  return std::nullopt;
}

Result<FlagType> ParseFlagType(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, FlagType>, 9> kTypes = {{
      {"auto", FlagType::kAuto},
      {"string", FlagType::kString},
      {"int", FlagType::kInt},
      {"float", FlagType::kFloat},
      {"number", FlagType::kNumber},
      {"boolean", FlagType::kBoolean},
      {"path", FlagType::kPath},
      {"existing-path", FlagType::kPath},
      {"", FlagType::kAuto},
  }};
  for (const auto& [type_name, type] : kTypes) {
    if (type_name == name) return type;
  }
  return Status::Invalid("unknown flag type '" + std::string(name) +
                         "' (expected auto, string, int, float, number, boolean, path "
                         "or existing-path)");
}

Result<DecodedFlag> DecodeFlagValue(std::string_view text, FlagType type,
                                    std::string_view flag_name) {
  if (std::optional<FlagValue> typed = DecodeTyped(text, type)) {
    return DecodedFlag{std::move(*typed), {}};
  }

  DecodedFlag decoded;
  Result<FlagValue> value = DecodeAuto(text, &decoded.warnings);
  if (!value.ok()) {
    if (flag_name.empty()) return value.status();
    return Status::Invalid("invalid value for flag " + std::string(flag_name) + ": " +
                           value.status().message());
  }
  decoded.value = std::move(*value);
  return decoded;
}

Result<std::pair<std::string, std::string>> SplitFlagAssignment(std::string_view arg) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    return Status::Invalid("invalid flag '" + std::string(arg) +
                           "': expected NAME=VALUE");
  }
  if (eq == 0) {
    return Status::Invalid("invalid flag '" + std::string(arg) + "': the name is empty");
  }
  return std::make_pair(std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1)));
}

}  // namespace salvo
