// Flag values as text: the YAML-style encoding shown in prompts and stored in
// labels, the text handed to a trial, and Python-style reprs for messages that users
// of the reference will recognise. Every encoding reads back to the same value
// through DecodeFlagValue: text is quoted exactly when it would otherwise read as
// something else.

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/core/flag_value_internal.h"

namespace salvo {
namespace {

using flag_internal::DecodeScalar;

bool HasControlChar(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// YAML quoting: single quotes (a quote written twice), or double quotes with
// escapes when the text holds control characters, which single quotes would fold.
std::string Quote(std::string_view s) {
  if (!HasControlChar(s)) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  }
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A list item is left bare only when it is plainly a word: flow-list punctuation,
// quotes, spaces and YAML indicators inside a list would change how it reads.
bool IsPlainListWord(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    bool word =
        std::isalnum(c) || c == '_' || c == '.' || c == '+' || c == '-' || c == '/';
    if (!word || c >= 0x80) return false;
  }
  return DecodeScalar(s) == FlagValue::String(std::string(s));
}

bool ReadsBackAsItself(const std::string& s) {
  if (s.empty() || HasControlChar(s)) return false;
  Result<DecodedFlag> decoded = DecodeFlagValue(s);
  return decoded.ok() && decoded->value == FlagValue::String(s);
}

std::string EncodeItem(const FlagValue& item) {
  if (item.kind() == FlagValue::Kind::kString) {
    return IsPlainListWord(item.str()) ? item.str() : Quote(item.str());
  }
  return EncodeFlagValue(item);
}

std::string PythonString(std::string_view s) {
  bool double_quotes =
      s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
  char q = double_quotes ? '"' : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    if (c == q || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + q;
}

std::string PythonRepr(const FlagValue& v) {
  switch (v.kind()) {
    case FlagValue::Kind::kNull:
      return "None";
    case FlagValue::Kind::kBool:
      return std::get<bool>(v.v) ? "True" : "False";
    case FlagValue::Kind::kString:
      return PythonString(v.str());
    case FlagValue::Kind::kList: {
      std::string out = "[";
      for (const FlagValue& item : v.list()) {
        if (out.size() > 1) out += ", ";
        out += PythonRepr(item);
      }
      return out + "]";
    }
    default:
      return EncodeFlagValue(v);
  }
}

// Cuts the digits after the decimal point to `digits`, keeping an exponent:
// 0.123456789 -> 0.12345, 1.23456789e-05 -> 1.23456e-05.
std::string TruncateDecimals(std::string text, size_t digits) {
  size_t dot = text.find('.');
  if (dot == std::string::npos) return text;
  size_t end = text.find('e', dot);
  if (end == std::string::npos) end = text.size();
  size_t decimals = end - dot - 1;
  if (decimals > digits) text.erase(dot + 1 + digits, decimals - digits);
  return text;
}

}  // namespace

// Python's repr: the shortest digits that read back exactly, in fixed notation when
// the decimal exponent is in [-4, 16), else in exponent notation with two or more
// exponent digits.
std::string FormatFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";

  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, end - buf);
  std::string out;
  if (sci[0] == '-') {
    out = "-";
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits(1, sci[0]);
  if (e > 1) digits += sci.substr(2, e - 2);
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());

  int point = exponent + 1;  // digits before the decimal point
  int n = static_cast<int>(digits.size());
  if (point <= -4 || point > 16) {
    out += digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    char exp_text[16];
    std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    return out + exp_text;
  }
  if (point <= 0) return out + "0." + std::string(-point, '0') + digits;
  if (point >= n) return out + digits + std::string(point - n, '0') + ".0";
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

std::string EncodeFlagValue(const FlagValue& value) {
  switch (value.kind()) {
    case FlagValue::Kind::kNull:
      return "null";
    case FlagValue::Kind::kBool:
      return std::get<bool>(value.v) ? "yes" : "no";
    case FlagValue::Kind::kInt:
      return std::to_string(std::get<int64_t>(value.v));
    case FlagValue::Kind::kFloat:
      return FormatFloat(std::get<double>(value.v));
    case FlagValue::Kind::kString:
      return ReadsBackAsItself(value.str()) ? value.str() : Quote(value.str());
    case FlagValue::Kind::kList: {
      std::string out = "[";
      for (const FlagValue& item : value.list()) {
        if (out.size() > 1) out += ", ";
        out += EncodeItem(item);
      }
      return out + "]";
    }
    case FlagValue::Kind::kFunction:
      return value.function().text;
  }
  return "";
}

std::string FlagValueArg(const FlagValue& value) {
  if (value.kind() == FlagValue::Kind::kString) return value.str();
  return EncodeFlagValue(value);
}

std::string FlagLabel(const FlagMap& flags) {
  std::string label;
  for (const auto& [name, value] : flags) {
    if (value.is_null()) continue;
    if (!label.empty()) label += ' ';
    std::string text = EncodeFlagValue(value);
    if (value.kind() == FlagValue::Kind::kFloat) text = TruncateDecimals(text, 5);
    label += name + "=" + text;
  }
  return label;
}

namespace flag_internal {

std::string PythonTuple(const std::vector<FlagValue>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += PythonRepr(values[i]);
  }
  if (values.size() == 1) out += ",";
  return out + ")";
}

}  // namespace flag_internal
}  // namespace salvo
