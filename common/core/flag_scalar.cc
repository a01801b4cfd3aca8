// Scalar decoding: the rules that turn one word of a flag value into a typed value.
// Python's int() and float() come first, as in the reference, so `001` is 1 and
// `1e-3` a float; then the YAML 1.1 scalars users of the reference rely on (`yes`,
// `off`, `~`). Quoted text is unquoted by yaml-cpp. Sexagesimal YAML numbers (`1:2`
// is 62) and underscores in numbers are deliberately not read as numbers.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "common/core/flag_value_internal.h"

namespace salvo::flag_internal {
namespace {

constexpr std::string_view kWhiteSpace = " \t\n\r\f\v";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsBinaryDigit(char c) { return c == '0' || c == '1'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Removes a leading sign; returns true when it was '-'.
bool TakeSign(std::string_view* s) {
  if (s->empty() || ((*s)[0] != '+' && (*s)[0] != '-')) return false;
  bool negative = (*s)[0] == '-';
  s->remove_prefix(1);
  return negative;
}

// The decimal exponent of the first significant digit of a valid decimal `body`
// (mantissa and optional exponent), used to tell overflow from underflow.
int64_t LeadingDigitExponent(std::string_view body) {
  size_t e = body.find_first_of("eE");
  std::string_view mantissa = body.substr(0, e);
  int64_t exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp_text = body.substr(e + 1);
    bool negative = TakeSign(&exp_text);
    // A huge exponent only needs its sign to decide; clamp instead of overflowing.
    if (exp_text.size() > 9) {
      exponent = 1000000000;
    } else {
      std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    }
    if (negative) exponent = -exponent;
  }
  size_t dot = mantissa.find('.');
  size_t int_digits = dot == std::string_view::npos ? mantissa.size() : dot;
  int64_t position = 0;  // digits seen, counting only digits
  for (char c : mantissa) {
    if (c == '.') continue;
    if (c != '0') return static_cast<int64_t>(int_digits) - position - 1 + exponent;
    ++position;
  }
  return std::numeric_limits<int64_t>::min();  // all zeros
}

// Python's float() grammar for finite numbers, without underscores.
bool IsDecimalFloat(std::string_view s) {
  size_t i = 0, mantissa_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::string_view exponent = s.substr(i + 1);
    TakeSign(&exponent);
    return AllOf(exponent, IsDigit);
  }
  return i == s.size();
}

// 'text' or "text" spanning the whole of `s`, unquoted by yaml-cpp.
std::optional<std::string> Unquote(std::string_view s) {
  if (s.size() < 2 || (s[0] != '\'' && s[0] != '"') || s.back() != s[0]) {
    return std::nullopt;
  }
  std::string_view inner = s.substr(1, s.size() - 2);
  if (s[0] == '\'') {
    // Inside single quotes a quote is written twice; a lone one ends the scalar early.
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] != '\'') continue;
      if (i + 1 == inner.size() || inner[i + 1] != '\'') return std::nullopt;
      ++i;
    }
  } else {
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] == '"') return std::nullopt;
      if (inner[i] == '\\' && ++i == inner.size()) return std::nullopt;
    }
  }
  try {
    YAML::Node node = YAML::Load(std::string(s));
    if (node.IsScalar() && node.Tag() == "!") return node.Scalar();
  } catch (const YAML::Exception&) {
  }
  return std::nullopt;
}

// The YAML 1.1 plain scalars that are not Python numbers.
std::optional<FlagValue> DecodeYaml11Plain(std::string_view s) {
  static constexpr std::array<std::string_view, 9> kTrue = {
      "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static constexpr std::array<std::string_view, 9> kFalse = {
      "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  static constexpr std::array<std::string_view, 4> kNull = {"~", "null", "Null", "NULL"};
  auto in = [s](const auto& words) {
    return std::find(words.begin(), words.end(), s) != words.end();
  };
  if (in(kTrue)) return FlagValue::Bool(true);
  if (in(kFalse)) return FlagValue::Bool(false);
  if (in(kNull)) return FlagValue::Null();

  std::string_view body = s;
  bool negative = TakeSign(&body);
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    double inf = std::numeric_limits<double>::infinity();
    return FlagValue::Float(negative ? -inf : inf);
  }
  if (body.size() == s.size() && (s == ".nan" || s == ".NaN" || s == ".NAN")) {
    return FlagValue::Float(std::numeric_limits<double>::quiet_NaN());
  }

  // 0x1F and 0b101; values that do not fit an int64 stay text.
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'b')) {
    int base = body[1] == 'x' ? 16 : 2;
    std::string_view digits = body.substr(2);
    if (!AllOf(digits, base == 16 ? IsHexDigit : IsBinaryDigit)) return std::nullopt;
    uint64_t magnitude = 0;
    auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    uint64_t limit =
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + negative;
    if (ec != std::errc() || magnitude > limit) return std::nullopt;
    return FlagValue::Int(negative ? static_cast<int64_t>(0 - magnitude)
                                   : static_cast<int64_t>(magnitude));
  }
  return std::nullopt;
}

}  // namespace

std::string_view Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(kWhiteSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kWhiteSpace);
  return s.substr(begin, end - begin + 1);
}

std::optional<int64_t> ParsePythonInt(std::string_view text) {
  std::string_view digits = Trim(text);
  bool negative = TakeSign(&digits);
  if (!AllOf(digits, IsDigit)) return std::nullopt;

  std::string signed_digits = (negative ? "-" : "") + std::string(digits);
  int64_t value = 0;
  const char* end = signed_digits.data() + signed_digits.size();
  auto [ptr, ec] = std::from_chars(signed_digits.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<double> ParsePythonFloat(std::string_view text) {
  std::string_view body = Trim(text);
  bool negative = TakeSign(&body);
  double sign = negative ? -1.0 : 1.0;
  if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) {
    return sign * std::numeric_limits<double>::infinity();
  }
  if (EqualsIgnoreCase(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (!IsDecimalFloat(body)) return std::nullopt;

  double value = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec == std::errc::result_out_of_range) {
    bool overflow = LeadingDigitExponent(body) > 0;
    return sign * (overflow ? std::numeric_limits<double>::infinity() : 0.0);
  }
  if (ec != std::errc() || ptr != body.data() + body.size()) return std::nullopt;
  return sign * value;
}

FlagValue DecodeScalar(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.empty()) return FlagValue::String("");
  if (std::optional<int64_t> i = ParsePythonInt(s)) return FlagValue::Int(*i);
  if (std::optional<double> d = ParsePythonFloat(s)) return FlagValue::Float(*d);
  if (std::optional<std::string> quoted = Unquote(s)) return FlagValue::String(*quoted);
  if (std::optional<FlagValue> yaml = DecodeYaml11Plain(s)) return *yaml;
  return FlagValue::String(std::string(s));
}

bool SameFlagValue(const FlagValue& a, const FlagValue& b) {
  if (a.is_number() && b.is_number()) return *a.number() == *b.number();
  return a == b;
}

}  // namespace salvo::flag_internal
