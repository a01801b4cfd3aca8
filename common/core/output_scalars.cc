#include "common/core/output_scalars.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace salvo {
namespace {

// What the shorthands of a user pattern stand for. The value alternative mirrors
// ParseScalarNumber, so whatever it captures also parses.
constexpr std::string_view kKeyRegex = R"([A-Za-z_]\S*)";
constexpr std::string_view kValueRegex =
    R"((?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|)"
    R"([-+]?(?:[nN][aA][nN]|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)))";
constexpr std::string_view kStepRegex = R"(\d+)";

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

size_t CountDigits(std::string_view s, size_t pos) {
  size_t n = 0;
  while (pos + n < s.size() && IsDigit(s[pos + n])) ++n;
  return n;
}

std::optional<int64_t> ParseStep(std::string_view digits) {
  int64_t step = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), step);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return step;
}

// The step of a `(STEP)` or `(step STEP)` suffix, if `suffix` is one.
std::optional<int64_t> StepSuffix(std::string_view suffix) {
  std::string_view inner = suffix.substr(1, suffix.size() - 2);
  if (inner.starts_with("step") && inner.size() > 4 && IsSpace(inner[4])) {
    inner = TrimLeft(inner.substr(4));
  }
  if (inner.empty() || CountDigits(inner, 0) != inner.size()) return std::nullopt;
  return ParseStep(inner);
}

std::string_view StripZeros(std::string_view digits) {
  while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

// A number out of the double range, as Python's float() reads it: infinite when it is
// huge, zero when it is tiny. `whole`: the digits before any point; `exponent`: the
// digits after e, `exponent_negative`: its sign.
double OutOfRange(std::string_view whole, std::string_view exponent,
                  bool exponent_negative, bool negative) {
  exponent = StripZeros(exponent);
  double e =
      exponent.size() > 9 ? 1e9 : static_cast<double>(ParseStep(exponent).value_or(0));
  double magnitude =
      static_cast<double>(StripZeros(whole).size()) + (exponent_negative ? -e : e);
  double value = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return negative ? -value : value;
}

struct DefaultMatch {
  std::string_view key;
  double value = 0;
  std::optional<int64_t> step;
};

// Matches the default patterns against a line without trailing white space:
// `KEY:` then white space, a NUMBER, then nothing or white space and `(...)`.
std::optional<DefaultMatch> MatchDefault(std::string_view line) {
  size_t key_end = 0;
  while (key_end < line.size() && !IsSpace(line[key_end])) ++key_end;
  if (key_end < 2 || key_end == line.size() || line[key_end - 1] != ':') return {};
  if (!IsKeyStart(line[0])) return {};
  DefaultMatch match;
  match.key = line.substr(0, key_end - 1);

  std::string_view rest = TrimLeft(line.substr(key_end));
  size_t number_end = 0;
  while (number_end < rest.size() && !IsSpace(rest[number_end])) ++number_end;
  std::optional<double> value = ParseScalarNumber(rest.substr(0, number_end));
  if (!value) return {};
  match.value = *value;

  std::string_view suffix = TrimLeft(rest.substr(number_end));
  if (suffix.empty()) return match;
  if (suffix.size() < 2 || suffix.front() != '(' || suffix.back() != ')') return {};
  match.step = StepSuffix(suffix);
  return match;
}

// Replaces the `\key`, `\value` and `\step` shorthands; other escapes are kept whole
// so that `\\key` stays a backslash followed by "key".
std::string ExpandShorthands(std::string_view regex) {
  std::string out;
  for (size_t i = 0; i < regex.size(); ++i) {
    if (regex[i] != '\\' || i + 1 == regex.size()) {
      out += regex[i];
      continue;
    }
    std::string_view tail = regex.substr(i + 1);
    if (tail.starts_with("key")) {
      out += kKeyRegex;
      i += 3;
    } else if (tail.starts_with("value")) {
      out += kValueRegex;
      i += 5;
    } else if (tail.starts_with("step")) {
      out += kStepRegex;
      i += 4;
    } else {
      out += regex.substr(i, 2);
      ++i;
    }
  }
  return out;
}

}  // namespace

std::optional<double> ParseScalarNumber(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (EqualsIgnoreCase(text, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (EqualsIgnoreCase(text, "inf") || EqualsIgnoreCase(text, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }

  // DIGITS [. DIGITS*] or . DIGITS, then an optional exponent, nothing else.
  size_t whole = CountDigits(text, 0);
  size_t pos = whole;
  size_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    fraction = CountDigits(text, pos + 1);
    pos += 1 + fraction;
  }
  if (whole == 0 && fraction == 0) return std::nullopt;
  std::string_view exponent;
  bool exponent_negative = false;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      exponent_negative = text[pos] == '-';
      ++pos;
    }
    exponent = text.substr(pos, CountDigits(text, pos));
    if (exponent.empty()) return std::nullopt;
    pos += exponent.size();
  }
  if (pos != text.size()) return std::nullopt;

  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return OutOfRange(text.substr(0, whole), exponent, exponent_negative, negative);
  }
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return negative ? -value : value;
}

Result<std::regex> OutputScalarParser::Compile(const ScalarPattern& pattern) {
  std::string what = "output-scalars pattern '" + pattern.regex + "'";
  if (!pattern.tag.empty()) what += " for '" + pattern.tag + "'";
  try {
    std::regex regex(ExpandShorthands(pattern.regex), std::regex::ECMAScript);
    size_t groups = pattern.tag.empty() ? 2 : 1;
    if (regex.mark_count() < groups) {
      return Status::Invalid(what + " needs " +
                             (groups == 2 ? "a key and a value group" : "a value group"));
    }
    return regex;
  } catch (const std::regex_error& e) {
    return Status::Invalid("invalid " + what + ": " + e.what());
  }
}

Result<OutputScalarParser> OutputScalarParser::Make(std::set<std::string> ignore_keys,
                                                    std::vector<ScalarPattern> patterns) {
  OutputScalarParser parser;
  parser.ignore_keys_ = std::move(ignore_keys);
  for (const ScalarPattern& pattern : patterns) {
    Result<std::regex> regex = Compile(pattern);
    if (!regex.ok()) return regex.status();
    parser.patterns_.emplace_back(pattern.tag, std::move(regex).value());
  }
  return parser;
}

OutputScalarParser::OutputScalarParser(std::set<std::string> ignore_keys,
                                       std::vector<ScalarPattern> patterns)
    : ignore_keys_(std::move(ignore_keys)) {
  for (const ScalarPattern& pattern : patterns) {
    Result<std::regex> regex = Compile(pattern);
    if (regex.ok()) patterns_.emplace_back(pattern.tag, std::move(regex).value());
  }
}

std::vector<ScalarPoint> OutputScalarParser::Feed(std::string_view line) {
  std::vector<ScalarPoint> points;
  line = TrimRight(line);
  if (patterns_.empty()) {
    FeedDefault(line, &points);
  } else {
    FeedPatterns(std::string(line), &points);
  }
  return points;
}

void OutputScalarParser::FeedDefault(std::string_view line,
                                     std::vector<ScalarPoint>* points) {
  std::optional<DefaultMatch> match = MatchDefault(line);
  if (!match) return;
  std::string key(match->key);
  if (ignore_keys_.count(key) > 0) return;
  Record(key, match->value, match->step, points);
}

void OutputScalarParser::FeedPatterns(const std::string& line,
                                      std::vector<ScalarPoint>* points) {
  for (const auto& [tag, regex] : patterns_) {
    size_t groups = tag.empty() ? 2 : 1;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), regex);
         it != std::sregex_iterator(); ++it) {
      const std::smatch& m = *it;
      std::optional<double> value = ParseScalarNumber(m[groups].str());
      if (!value) continue;
      Record(tag.empty() ? m[1].str() : tag, *value, std::nullopt, points);
    }
  }
}

void OutputScalarParser::Record(const std::string& tag, double value,
                                std::optional<int64_t> step,
                                std::vector<ScalarPoint>* points) {
  // `step: N` moves the step; Python's int() truncates, and so does this. Steps count
  // up from 0: a negative one is ignored.
  if (tag == "step") {
    if (!std::isfinite(value) || value <= -1 || value >= 9e18) return;
    step_ = static_cast<int64_t>(value);
    explicit_step_ = true;
    seen_in_step_.clear();
    return;
  }

  if (step) {
    step_ = *step;
    explicit_step_ = true;
    seen_in_step_.clear();
  } else if (!explicit_step_ && seen_in_step_.count(tag) > 0) {
    ++step_;
    seen_in_step_.clear();
  }
  seen_in_step_.insert(tag);
  points->push_back({tag, step_, value});
}

}  // namespace salvo
