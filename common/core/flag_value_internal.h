#pragma once
// Pieces shared by the files that implement flag_value.h and search_space.h
// (flag_value.cc, flag_scalar.cc, flag_sequence.cc, flag_format.cc, search_space.cc).
// Not part of the public interface: other components include flag_value.h only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/status.h"

namespace salvo::flag_internal {

// The most values one list may hold once repeated (`[..] * N`) or expanded from a
// sequence: a bigger grid is a typing mistake, not a search.
inline constexpr size_t kMaxListValues = 100000;

// `s` without leading and trailing ASCII white space.
std::string_view Trim(std::string_view s);

// Python's int(text) for base-10 text: optional sign, digits, surrounding white space.
// nullopt for anything else, including text with underscores and values outside
// int64 (which then read as floats, as Python's float() would).
std::optional<int64_t> ParsePythonInt(std::string_view text);

// Python's float(text): 1e3, 1., .5, -2.5E-3, nan, inf, infinity (any case), with
// overflow to inf and underflow to 0 as Python does. No underscores.
std::optional<double> ParsePythonFloat(std::string_view text);

// One scalar by the decoding rules: Python int, Python float, then a YAML 1.1
// scalar (yes/no/true/false/on/off in YAML's spellings, null and ~, 0x/0b ints,
// .inf/.nan, 'single' or "double" quoted text); anything else is the trimmed text.
// Text containing `_` or `:` never becomes a number (`1_2_3`, `1:2` stay strings).
FlagValue DecodeScalar(std::string_view text);

// Python's repr of the values as a tuple: (1, 2.0, 'a'), (2,), ().
std::string PythonTuple(const std::vector<FlagValue>& values);

// range, linspace, logspace and geomspace.
bool IsSequenceFunction(std::string_view name);

// Expands a sequence function into its list. `args` are the decoded arguments,
// `arg_texts` the same arguments as typed and `text` the whole value, for messages.
// Arguments past the supported ones add a warning and are ignored.
Result<FlagList> ExpandSequence(std::string_view name, const std::vector<FlagValue>& args,
                                const std::vector<std::string>& arg_texts,
                                std::string_view text,
                                std::vector<std::string>* warnings);

// Equality of flag values where an int and a float of the same number are equal
// (1 == 1.0); bools are not numbers here.
bool SameFlagValue(const FlagValue& a, const FlagValue& b);

}  // namespace salvo::flag_internal
