#pragma once
// TensorBoard's messages as Salvo writes them, with the field numbers of TensorBoard's
// .proto files (event.proto, summary.proto, tensor.proto, plugins/hparams/api.proto and
// plugin_data.proto, google/protobuf/struct.proto). Each function returns one
// serialized Event; an event file is a sequence of TfRecord(event) (proto_wire.h)
// opened by FileVersionEvent. Pure; safe from any thread.
//
// The HParams dashboard reads three summaries, each a Summary.Value whose metadata has
// plugin_name "hparams" and, as content, a serialized HParamsPluginData (version 0):
// the experiment (tag `_hparams_/experiment`, in the logdir's top folder) and, in each
// session's folder, its start info (`_hparams_/session_start_info`: the flag values)
// and end info (`_hparams_/session_end_info`: the status). Their tensor is TensorBoard's
// null tensor (a float 0 of shape []), as its own summary writer does.

#include <optional>
#include <string>
#include <vector>

#include "common/core/flag_value.h"

namespace salvo {

// HParamInfo.type.
enum class HParamType { kUnset = 0, kString = 1, kBool = 2, kFloat64 = 3 };
// SessionEndInfo.status.
enum class SessionStatus { kUnknown = 0, kSuccess = 1, kFailure = 2, kRunning = 3 };

struct HParamSpec {
  std::string name;
  HParamType type = HParamType::kUnset;
  // Either an interval (numbers searched over a range) or a discrete set of values.
  std::optional<std::pair<double, double>> interval;
  std::vector<FlagValue> discrete;
};

struct ExperimentSpec {
  std::string name;
  std::string description;
  double time_created_secs = 0;
  std::vector<HParamSpec> hparams;
  std::vector<std::string> metrics;  // scalar tags of the sessions' own folders
};

inline constexpr char kExperimentTag[] = "_hparams_/experiment";
inline constexpr char kSessionStartTag[] = "_hparams_/session_start_info";
inline constexpr char kSessionEndTag[] = "_hparams_/session_end_info";

// Event{wall_time, file_version: "brain.Event:2"}: the first record of every file.
std::string FileVersionEvent(double wall_time);
// Event{wall_time, step, summary{value{tag, simple_value}}}.
std::string ScalarEvent(double wall_time, int64_t step, const std::string& tag,
                        float value);

std::string ExperimentEvent(double wall_time, const ExperimentSpec& experiment);
// The session's flag values as google.protobuf.Value: numbers as number_value, bools
// as bool_value, strings as string_value; with `type` kString every value is sent as
// its text. Null values are left out. `types`: each flag's HParamType (by name).
std::string SessionStartEvent(double wall_time, const FlagMap& flags,
                              const std::vector<HParamSpec>& types,
                              double start_time_secs, const std::string& group_name);
std::string SessionEndEvent(double wall_time, SessionStatus status, double end_time_secs);

}  // namespace salvo
