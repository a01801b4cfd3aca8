#include "coordinator/tensorboard/event_files.h"

#include <algorithm>

#include "coordinator/tensorboard/proto_wire.h"

namespace salvo {
namespace {

// Field numbers, by message.
namespace event {
constexpr int kWallTime = 1, kStep = 2, kFileVersion = 3, kSummary = 5;
}
namespace summary {
constexpr int kValue = 1;  // Summary.value
// Summary.Value
constexpr int kTag = 1, kSimpleValue = 2, kTensor = 8, kMetadata = 9;
}  // namespace summary
namespace metadata {
constexpr int kPluginData = 1, kDataClass = 4;  // SummaryMetadata
constexpr int kPluginName = 1, kContent = 2;    // SummaryMetadata.PluginData
constexpr int kDataClassTensor = 2;
}  // namespace metadata
namespace tensor {
constexpr int kDtype = 1, kShape = 2, kFloatVal = 5;  // TensorProto
constexpr int kDtFloat = 1;
}  // namespace tensor
namespace hparams {
// HParamsPluginData
constexpr int kVersion = 1, kExperiment = 2, kSessionStart = 3, kSessionEnd = 4;
// Experiment
constexpr int kDescription = 1, kTimeCreated = 3, kHParamInfos = 4, kMetricInfos = 5,
              kName = 6;
// HParamInfo
constexpr int kInfoName = 1, kType = 4, kDomainDiscrete = 5, kDomainInterval = 6;
constexpr int kMinValue = 1, kMaxValue = 2;  // Interval
constexpr int kMetricName = 1;               // MetricInfo.name
constexpr int kGroup = 1, kMetricTag = 2;    // MetricName
// SessionStartInfo
constexpr int kHParams = 1, kGroupName = 4, kStartTime = 5;
constexpr int kMapKey = 1, kMapValue = 2;  // a map entry
// SessionEndInfo
constexpr int kStatus = 1, kEndTime = 2;
}  // namespace hparams
namespace value {  // google.protobuf.Value and ListValue
constexpr int kNumber = 2, kString = 3, kBool = 4;
constexpr int kListValues = 1;
}  // namespace value

std::string WithSummary(double wall_time, std::optional<int64_t> step,
                        const ProtoWriter& value) {
  ProtoWriter summary;
  summary.Message(summary::kValue, value);
  ProtoWriter event;
  event.Double(event::kWallTime, wall_time);
  if (step) event.Int64(event::kStep, *step);
  event.Message(event::kSummary, summary);
  return event.data();
}

// A Summary.Value carrying HParamsPluginData `plugin_data` under `tag`.
std::string HParamsEvent(double wall_time, const char* tag,
                         const ProtoWriter& plugin_data) {
  ProtoWriter plugin;
  plugin.Bytes(metadata::kPluginName, "hparams")
      .Bytes(metadata::kContent, plugin_data.data());
  ProtoWriter meta;
  meta.Message(metadata::kPluginData, plugin)
      .Varint(metadata::kDataClass, metadata::kDataClassTensor);

  // TensorBoard's null tensor: DT_FLOAT, shape [], float_val [0] (packed).
  std::string zero(4, '\0');
  ProtoWriter null_tensor;
  null_tensor.Varint(tensor::kDtype, tensor::kDtFloat)
      .Bytes(tensor::kShape, "")
      .Bytes(tensor::kFloatVal, zero);

  ProtoWriter value;
  value.Bytes(summary::kTag, tag)
      .Message(summary::kMetadata, meta)
      .Message(summary::kTensor, null_tensor);
  return WithSummary(wall_time, std::nullopt, value);
}

ProtoWriter PluginData(int field, const ProtoWriter& data) {
  ProtoWriter plugin_data;
  plugin_data.Varint(hparams::kVersion, 0).Message(field, data);
  return plugin_data;
}

// google.protobuf.Value of a flag value, as `type` wants it.
ProtoWriter ValueMessage(const FlagValue& v, HParamType type) {
  ProtoWriter out;
  if (type == HParamType::kFloat64 && v.is_number()) {
    out.Double(value::kNumber, *v.number());
  } else if (type == HParamType::kBool && v.kind() == FlagValue::Kind::kBool) {
    out.Bool(value::kBool, std::get<bool>(v.v));
  } else if (v.kind() == FlagValue::Kind::kString) {
    out.Bytes(value::kString, v.str());
  } else {
    out.Bytes(value::kString, FlagValueArg(v));
  }
  return out;
}

HParamType TypeOf(const std::vector<HParamSpec>& specs, const std::string& name) {
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const HParamSpec& s) { return s.name == name; });
  return it == specs.end() ? HParamType::kString : it->type;
}

}  // namespace

std::string FileVersionEvent(double wall_time) {
  ProtoWriter event;
  event.Double(event::kWallTime, wall_time).Bytes(event::kFileVersion, "brain.Event:2");
  return event.data();
}

std::string ScalarEvent(double wall_time, int64_t step, const std::string& tag,
                        float value) {
  ProtoWriter summary_value;
  summary_value.Bytes(summary::kTag, tag).Float(summary::kSimpleValue, value);
  return WithSummary(wall_time, step, summary_value);
}

std::string ExperimentEvent(double wall_time, const ExperimentSpec& experiment) {
  ProtoWriter exp;
  exp.Bytes(hparams::kName, experiment.name)
      .Bytes(hparams::kDescription, experiment.description)
      .Double(hparams::kTimeCreated, experiment.time_created_secs);
  for (const HParamSpec& spec : experiment.hparams) {
    ProtoWriter info;
    info.Bytes(hparams::kInfoName, spec.name)
        .Varint(hparams::kType, static_cast<int>(spec.type));
    if (spec.interval) {
      ProtoWriter interval;
      interval.Double(hparams::kMinValue, spec.interval->first)
          .Double(hparams::kMaxValue, spec.interval->second);
      info.Message(hparams::kDomainInterval, interval);
    } else if (!spec.discrete.empty()) {
      ProtoWriter list;
      for (const FlagValue& v : spec.discrete)
        list.Message(value::kListValues, ValueMessage(v, spec.type));
      info.Message(hparams::kDomainDiscrete, list);
    }
    exp.Message(hparams::kHParamInfos, info);
  }
  for (const std::string& tag : experiment.metrics) {
    ProtoWriter name;
    name.Bytes(hparams::kGroup, "").Bytes(hparams::kMetricTag, tag);
    ProtoWriter info;
    info.Message(hparams::kMetricName, name);
    exp.Message(hparams::kMetricInfos, info);
  }
  return HParamsEvent(wall_time, kExperimentTag, PluginData(hparams::kExperiment, exp));
}

std::string SessionStartEvent(double wall_time, const FlagMap& flags,
                              const std::vector<HParamSpec>& types,
                              double start_time_secs, const std::string& group_name) {
  ProtoWriter start;
  for (const auto& [name, v] : flags) {
    if (v.is_null()) continue;
    ProtoWriter entry;
    entry.Bytes(hparams::kMapKey, name)
        .Message(hparams::kMapValue, ValueMessage(v, TypeOf(types, name)));
    start.Message(hparams::kHParams, entry);
  }
  start.Bytes(hparams::kGroupName, group_name)
      .Double(hparams::kStartTime, start_time_secs);
  return HParamsEvent(wall_time, kSessionStartTag,
                      PluginData(hparams::kSessionStart, start));
}

std::string SessionEndEvent(double wall_time, SessionStatus status,
                            double end_time_secs) {
  ProtoWriter end;
  end.Varint(hparams::kStatus, static_cast<int>(status))
      .Double(hparams::kEndTime, end_time_secs);
  return HParamsEvent(wall_time, kSessionEndTag, PluginData(hparams::kSessionEnd, end));
}

}  // namespace salvo
