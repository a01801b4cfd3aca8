#include "coordinator/batch_plan.h"

#include <algorithm>
#include <random>
#include <sstream>

#include "common/core/ids.h"
#include "coordinator/batch_files.h"
#include "optimizers/optimizer.h"

namespace salvo {

void SampleGridSubset(std::vector<opt::Suggestion>& points, int64_t count, uint64_t seed,
                      uint64_t stream) {
  if (count >= static_cast<int64_t>(points.size())) return;
  std::vector<size_t> idx(points.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::mt19937_64 rng(MixSeed(seed, stream));
  std::shuffle(idx.begin(), idx.end(), rng);
  idx.resize(static_cast<size_t>(std::max<int64_t>(count, 0)));
  std::sort(idx.begin(), idx.end());
  std::vector<opt::Suggestion> subset;
  for (size_t i : idx) subset.push_back(std::move(points[i]));
  points = std::move(subset);
}

std::string BatchOperationName(const std::string& op_name, const std::string& optimizer) {
  return op_name + "+" + (optimizer == "+" ? "" : optimizer);
}

Result<FlagMap> ParseFlagArgs(const std::vector<std::string>& args,
                              const OperationDef& op,
                              std::vector<std::string>& warnings) {
  FlagMap out;
  for (const std::string& arg : args) {
    auto split = SplitFlagAssignment(arg);
    if (!split.ok()) return split.status();
    const auto& [name, text] = *split;
    auto def = op.flags.find(name);
    if (def == op.flags.end()) {
      std::string known;
      for (const auto& [n, d] : op.flags) known += (known.empty() ? "" : ", ") + n;
      return Status::Invalid(
          "unknown flag '" + name + "' for " + op.name +
          (known.empty() ? " (it has no flags)" : " (flags: " + known + ")"));
    }
    if (out.count(name))
      return Status::Invalid("flag " + name + " is given more than once");
    // The decoder's message names the flag.
    auto decoded = DecodeFlagValue(text, def->second.type, name);
    if (!decoded.ok()) return decoded.status();
    for (const auto& w : decoded->warnings) warnings.push_back("flag " + name + ": " + w);
    out[name] = decoded->value;
  }
  return out;
}

Status CheckMaxTrials(int64_t max_trials) {
  if (max_trials < 1) return Status::Invalid("--max-trials must be at least 1");
  if (max_trials > kMaxTrialsLimit)
    return Status::Invalid("--max-trials must be at most " +
                           std::to_string(kMaxTrialsLimit));
  return Status::Ok();
}

namespace {

// An operation-file flag with choices or min/max becomes a search dimension when an
// optimizer is asked for and the flag was not given on the command line.
std::optional<FlagValue> SearchValueFromDef(const FlagDef& def) {
  if (!def.choices.empty()) return FlagValue::List(def.choices);
  if (!def.min || !def.max) return std::nullopt;
  FlagFunction fn;
  fn.name = def.distribution == "loguniform" ? "loguniform" : "";
  fn.args = {*def.min, *def.max};
  if (def.default_value.is_number()) fn.args.push_back(def.default_value);
  fn.text = fn.name + "[" + EncodeFlagValue(*def.min) + ":" + EncodeFlagValue(*def.max) +
            (fn.args.size() == 3 ? ":" + EncodeFlagValue(def.default_value) : "") + "]";
  return FlagValue::Function(std::move(fn));
}

std::string OptimizerNames() {
  std::string names;
  for (const auto& info : opt::RegisteredOptimizers())
    names += (names.empty() ? "" : ", ") + info.name;
  return names;
}

Result<FlagMap> ParseOptimizerFlags(const std::vector<std::string>& args) {
  FlagMap out;
  for (const auto& arg : args) {
    auto split = SplitFlagAssignment(arg);
    if (!split.ok())
      return Status::Invalid("invalid optimizer flag '" + arg + "': expected NAME=VALUE");
    auto decoded = DecodeFlagValue(split->second, FlagType::kAuto, split->first);
    if (!decoded.ok()) return decoded.status();
    out[split->first] = decoded->value;
  }
  return out;
}

}  // namespace

Result<BatchPlan> PlanRun(const RunOptions& options, OperationDef op) {
  BatchPlan plan;
  plan.warnings = op.warnings;

  // Batch files (@FILE) apart from NAME=VALUE flags.
  std::vector<std::string> flag_args;
  std::vector<FlagMap> file_rows;
  bool any_file = false;
  for (const auto& arg : options.flag_args) {
    if (arg.empty() || arg[0] != '@') {
      flag_args.push_back(arg);
      continue;
    }
    any_file = true;
    auto rows = ReadBatchFile(arg.substr(1));
    if (!rows.ok()) return rows.status();
    for (auto& row : *rows) {
      for (const auto& [name, value] : row) {
        if (!op.flags.count(name))
          return Status::Invalid("unknown flag '" + name + "' in batch file " +
                                 arg.substr(1));
      }
      file_rows.push_back(std::move(row));
    }
  }

  // Flags: the operation's defaults, then the command line.
  auto cli = ParseFlagArgs(flag_args, op, plan.warnings);
  if (!cli.ok()) return cli.status();
  bool optimizer_asked = options.optimizer.has_value() || options.optimize;
  for (const auto& [name, def] : op.flags) {
    plan.flags[name] = def.default_value;
    if (optimizer_asked && !cli->count(name)) {
      if (auto search = SearchValueFromDef(def)) plan.flags[name] = *search;
    }
  }
  for (const auto& [name, value] : *cli) plan.flags[name] = value;

  if (any_file) {
    if (options.optimizer && *options.optimizer != "+")
      return Status::Invalid("batch files run their rows as they are; -o " +
                             *options.optimizer + " cannot be used with @FILE");
    FlagMap defaults;
    for (const auto& [name, def] : op.flags) defaults[name] = def.default_value;
    plan.rows = ExpandBatchRows(file_rows, defaults, *cli);
    for (const auto& row : plan.rows) {
      for (const auto& [name, value] : row) {
        if (value.is_function())
          return Status::Invalid("flag " + name +
                                 " of a batch-file trial is a search function; "
                                 "batch files take concrete values");
      }
    }
    plan.op = std::move(op);
    if (plan.rows.size() == 1) {
      plan.flags = plan.rows[0];
      plan.rows.clear();
      return plan;
    }
    plan.is_batch = true;
    plan.optimizer = "+";
    plan.trial_count = static_cast<int64_t>(plan.rows.size());
    if (options.max_trials) {
      SALVO_RETURN_IF_ERROR(CheckMaxTrials(*options.max_trials));
      plan.max_trials = *options.max_trials;
      plan.trial_count = std::min(plan.trial_count, plan.max_trials);
    }
    plan.seed = options.random_seed ? *options.random_seed : std::random_device()();
    return plan;
  }

  // Which optimizer.
  bool any_function = false, any_list = false;
  for (const auto& [name, value] : plan.flags) {
    any_function |= value.is_function();
    any_list |= value.is_list();
  }
  std::string optimizer;
  if (options.optimizer) {
    const auto* info = opt::FindOptimizer(*options.optimizer);
    if (!info) {
      return Status::Invalid("unknown optimizer '" + *options.optimizer +
                             "' (choose from: " + OptimizerNames() + ")");
    }
    optimizer = info->name;
  } else if (options.optimize) {
    optimizer = "gp";
  } else if (any_function) {
    optimizer = "random";
  } else if (any_list) {
    optimizer = "+";
  }
  plan.is_batch = !optimizer.empty();
  plan.op = std::move(op);
  if (!plan.is_batch) {
    if (options.max_trials)
      plan.warnings.push_back("not a batch run - ignoring --max-trials");
    if (!options.opt_flags.empty())
      plan.warnings.push_back("not a batch run - ignoring optimizer flags");
    return plan;
  }

  // The optimizer's flags, the search space and the budget.
  plan.optimizer = optimizer;
  const auto* info = opt::FindOptimizer(optimizer);
  plan.model_based = info->model_based;
  auto opt_overrides = ParseOptimizerFlags(options.opt_flags);
  if (!opt_overrides.ok()) return opt_overrides.status();
  auto resolved = opt::ResolveOptimizerFlags(optimizer, *opt_overrides);
  if (!resolved.ok()) return resolved.status();
  plan.optimizer_flags = *resolved;

  auto space = SpaceFromFlags(plan.flags);
  if (!space.ok()) return space.status();
  plan.space = *space;
  if (plan.space.size() == 0 && info->needs_search_dims) {
    return Status::Invalid(
        "flags for batch (" + FlagLabel(plan.flags) +
        ") do not contain any search dimensions\n"
        "Try specifying a range for one or more flags as NAME=[MIN:MAX].");
  }

  if (options.max_trials) {
    SALVO_RETURN_IF_ERROR(CheckMaxTrials(*options.max_trials));
    plan.max_trials = *options.max_trials;
  } else if (optimizer != "+") {
    plan.max_trials = 20;
  }
  if (optimizer == "+") {
    // The grid's cells are the lists' combinations; a range or search function is drawn
    // at random for each trial, not a grid axis.
    double grid = 1;
    for (const Dimension& d : plan.space.dims)
      if (d.kind == DimKind::kCategorical) grid *= static_cast<double>(d.choices.size());
    plan.trial_count = static_cast<int64_t>(std::min(grid, 1e18));
    if (plan.max_trials > 0 && plan.max_trials < plan.trial_count)
      plan.trial_count = plan.max_trials;
  }

  if (options.minimize && options.maximize)
    return Status::Invalid("--minimize and --maximize cannot be used together");
  if (options.minimize) {
    plan.objective = *options.minimize;
  } else if (options.maximize) {
    plan.objective = *options.maximize;
    plan.maximize = true;
  } else if (plan.op.objective) {
    plan.objective = *plan.op.objective;
    plan.maximize = plan.op.maximize;
  }
  if (plan.objective.empty()) return Status::Invalid("the objective must name a scalar");

  if (options.random_seed) {
    plan.seed = *options.random_seed;
  } else {
    plan.seed = std::random_device()();
  }
  return plan;
}

std::string PromptText(const BatchPlan& plan) {
  std::ostringstream out;
  const std::string& name = plan.op.name;
  if (plan.restart) {
    out << "You are about to start " << plan.restart->id << " (" << name << ")";
  } else {
    out << "You are about to run " << name;
  }
  if (plan.is_batch) {
    if (plan.optimizer == "+") {
      out << " as a batch (" << plan.trial_count << " trial"
          << (plan.trial_count == 1 ? "" : "s") << ")";
    } else if (plan.optimizer == "random") {
      out << " with random search (max " << plan.max_trials << " trials)";
    } else {
      out << " with '" << plan.optimizer << "' optimizer (max " << plan.max_trials
          << " trials, " << (plan.maximize ? "maximize " : "minimize ") << plan.objective
          << ")";
    }
  }
  if (!plan.rows.empty()) out << " (flags below used unless specified in batch trial)";
  out << "\n";
  for (const auto& [flag, value] : plan.flags)
    out << "  " << flag << ": " << (value.is_null() ? "default" : EncodeFlagValue(value))
        << "\n";
  if (plan.is_batch && !plan.optimizer_flags.empty()) {
    out << "Optimizer flags:\n";
    for (const auto& [flag, value] : plan.optimizer_flags)
      out << "  " << flag << ": " << EncodeFlagValue(value) << "\n";
  }
  if (!plan.rows.empty()) {
    out << "Trials:\n";
    int64_t n =
        plan.trial_count > 0 ? plan.trial_count : static_cast<int64_t>(plan.rows.size());
    for (int64_t i = 0; i < n && i < static_cast<int64_t>(plan.rows.size()); ++i)
      out << "  " << (i + 1) << ": " << FlagLabel(plan.rows[i]) << "\n";
  }
  out << "Continue? (Y/n) ";
  return out.str();
}

}  // namespace salvo
