// The salvo command line: CLI11 turns arguments into the option structs of
// coordinator/commands.h, then the command runs. This is the only file that includes
// CLI11.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "agent/agent_cmd.h"
#include "coordinator/cli/short_options.h"
#include "coordinator/commands.h"
#include "coordinator/coordinator_server.h"
#include "coordinator/remote.h"
#include "coordinator/tensorboard/tensorboard_cmd.h"
#include "coordinator/view/view_cmd.h"
#include "slurm/slurm_executor.h"
#include "slurm/trial_exec.h"

namespace {

using salvo::RunSelection;

void AddSelection(CLI::App* cmd, RunSelection& sel, bool operation_short_o) {
  cmd->add_option("runs", sel.runs, "Runs: id prefixes, indexes or START:END ranges");
  if (operation_short_o) {
    cmd->add_option("-o,--operation", sel.operations,
                    "Only runs of this operation (glob)");
  } else {
    cmd->add_option("--operation", sel.operations, "Only runs of this operation (glob)");
  }
  cmd->add_option("--label-filter", sel.labels,
                  "Only runs whose label contains this text");
  for (const char* status : {"completed", "error", "running", "terminated", "pending",
                             "staged", "lost", "preempted", "timeout"}) {
    std::string name = status;
    cmd->add_flag_callback(
        "--" + name, [&sel, name] { sel.status.include.push_back(name); },
        "Only " + name + " runs");
    cmd->add_flag_callback(
           "--not-" + name, [&sel, name] { sel.status.exclude.push_back(name); },
           "Leave out " + name + " runs")
        ->group("");
  }
  cmd->add_flag("-a,--all", sel.all, "Every run");
}

// `salvo agent`: each option is bound to `cli`; after parsing, the ones given on the
// command line are copied over the --config file's values.
struct AgentArgs {
  salvo::AgentOptions cli;
  std::string config;
  std::vector<std::pair<CLI::Option*, std::function<void(salvo::AgentOptions&)>>> given;

  template <class T>
  CLI::Option* Add(CLI::App* cmd, const std::string& name, T salvo::AgentOptions::*member,
                   const std::string& help) {
    CLI::Option* opt = cmd->add_option(name, cli.*member, help);
    given.emplace_back(
        opt, [this, member](salvo::AgentOptions& to) { to.*member = cli.*member; });
    return opt;
  }
  int Run() {
    salvo::AgentOptions options;
    if (!config.empty()) {
      salvo::Status s = salvo::LoadAgentConfig(config, &options);
      if (!s.ok()) {
        std::cerr << "salvo: error: " << s.message() << "\n";
        return 2;
      }
    }
    for (auto& [opt, apply] : given) {
      if (opt->count() > 0) apply(options);
    }
    return salvo::CmdAgent(options);
  }
};

void AddAgentCommand(CLI::App* cmd, AgentArgs& a) {
  using salvo::AgentOptions;
  a.Add(cmd, "--connect", &AgentOptions::connect, "Coordinator address: tcp://HOST:PORT");
  a.Add(cmd, "--slots", &AgentOptions::slots,
        "Trials at once (default: one per --gpus-per-trial GPUs, else 1)");
  a.Add(cmd, "--gpus", &AgentOptions::gpus, "GPU indexes to hand out, e.g. 0,1,2,3")
      ->delimiter(',');
  a.Add(cmd, "--gpus-per-trial", &AgentOptions::gpus_per_trial, "GPUs per trial");
  a.Add(cmd, "--name", &AgentOptions::name, "Agent name (default: the host name)");
  a.Add(cmd, "--home", &AgentOptions::home,
        "Snapshots and run folders (default: $SALVO_HOME/agent)");
  a.Add(cmd, "--heartbeat-ms", &AgentOptions::heartbeat_ms,
        "Heartbeat interval until the coordinator sets it");
  a.Add(cmd, "--timeout-ms", &AgentOptions::timeout_ms,
        "Reconnect after this long without word from the coordinator");
  a.Add(cmd, "--progress-ms", &AgentOptions::progress_ms,
        "Shortest interval between a trial's progress reports");
  a.Add(cmd, "--server-key", &AgentOptions::server_key,
        "The coordinator's public key file (CurveZMQ)");
  a.Add(cmd, "--key", &AgentOptions::key, "This agent's key pair file (salvo keygen)");
  cmd->add_option("--config", a.config,
                  "YAML file of these options (configs/agent.yaml)");
}

void SetUpLogging() {
  auto logger = spdlog::stderr_color_mt("salvo");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  const char* level = std::getenv("SALVO_LOG_LEVEL");
  spdlog::set_level(level ? spdlog::level::from_str(level) : spdlog::level::info);
}

}  // namespace

int main(int argc, char** argv) {
  SetUpLogging();
  salvo::RegisterSlurmExecutor();
  std::vector<std::string> raw(argv + 1, argv + argc);
  std::vector<std::string> args = salvo::ExpandShortOptions(raw);

  CLI::App app{"Salvo: hyperparameter search batches, on one machine or a cluster"};
  app.name("salvo");
  app.require_subcommand(1);
  app.set_version_flag("--version", "salvo 0.1.0");
  app.fallthrough();
  salvo::RemoteSettings remote;
  app.add_option("--coordinator", remote.url,
                 "Coordinator to use (tcp://HOST:PORT, ipc://PATH; default: "
                 "$SALVO_COORDINATOR, else none)");
  app.add_option("--key", remote.key_file, "This client's Curve key pair (PREFIX.key)");
  app.add_option("--server-key", remote.server_key_file,
                 "The coordinator's Curve public key (PREFIX.pub)");

  // run
  salvo::RunOptions run;
  std::vector<std::string> run_args;
  auto* run_cmd =
      app.add_subcommand("run", "Run a script or operation, or a batch of trials");
  run_cmd->add_option("args", run_args, "OPERATION then NAME=VALUE flags");
  run_cmd->add_option("-o,--optimizer", run.optimizer,
                      "Optimizer: +, random, gp, forest, gbrt, tpe");
  run_cmd->add_flag("-O,--optimize", run.optimize, "Use the default optimizer (gp)");
  run_cmd->add_option("-m,--max-trials,--trials", run.max_trials, "Trials in the batch");
  run_cmd->add_option("-N,--minimize", run.minimize,
                      "Scalar to minimize (default: loss)");
  run_cmd->add_option("-X,--maximize", run.maximize, "Scalar to maximize");
  run_cmd->add_option("--opt-flag", run.opt_flags, "Optimizer flag NAME=VALUE (-Fo)");
  run_cmd->add_option("--random-seed", run.random_seed,
                      "Seed of the batch's random draws");
  run_cmd->add_option("-j,--parallel", run.parallel, "Trials to run at once (default 1)");
  run_cmd->add_flag("-y,--yes", run.yes, "Do not ask for confirmation");
  run_cmd->add_flag("--print-trials", run.print_trials,
                    "Print the trials and run nothing");
  run_cmd->add_option("--save-trials", run.save_trials,
                      "Save the trials to a .csv or .json file");
  run_cmd->add_option("--restart,--start", run.restart, "Restart a batch");
  run_cmd->add_flag("--fail-on-trial-error", run.fail_on_trial_error,
                    "Stop the batch when a trial fails");
  run_cmd->add_option("--missing-objective-limit", run.missing_objective_limit,
                      "Stop a model-based batch after N trials in a row without its "
                      "objective (default 5; 0: never)");
  run_cmd->add_flag("--retry-failed", run.retry_failed,
                    "On restart, run failed trials again");
  run_cmd->add_flag("--refresh-source", run.refresh_source,
                    "On restart, snapshot the source again");
  run_cmd->add_option("-l,--label", run.label, "Label of the run");
  run_cmd->add_option(
      "--batch-label", run.batch_label,
      "Label of the batch run (default: --label, else the optimizer flags)");
  run_cmd->add_flag("-q,--quiet", run.quiet, "Do not show trial output");
  run_cmd->add_flag("--background", run.background,
                    "With a coordinator: submit the batch and return");

  salvo::CoordinatorOptions coord;
  auto* coord_cmd = app.add_subcommand(
      "coordinator", "Run the coordinator daemon: batches, agents and clients");
  coord_cmd->add_option("--bind", coord.bind,
                        "Address to serve (default tcp://127.0.0.1:5555)");
  coord_cmd->add_option("--config", coord.config,
                        "YAML settings (configs/coordinator.yaml)");
  coord_cmd->add_option("--key", coord.key_file,
                        "The coordinator's Curve key pair: Curve on");
  coord_cmd->add_option("--allow", coord.allow_file, "Public keys allowed to connect");
  coord_cmd->add_option("--heartbeat-ms", coord.heartbeat_ms,
                        "Heartbeat interval (1000)");
  coord_cmd->add_option("--timeout-ms", coord.timeout_ms,
                        "Silence after which an agent is gone (5000)");
  coord_cmd->add_option("--fast-failure-limit", coord.fast_failure_limit,
                        "Fast failures in a row that pause an agent (5; 0: never)");
  coord_cmd->add_option("--fast-failure-ms", coord.fast_failure_ms,
                        "A failure faster than this is fast (10000)");
  coord_cmd->add_option("--max-lost-attempts", coord.max_lost_attempts,
                        "Lost attempts before a trial is an error (3)");
  coord_cmd->add_option("--stop-grace-ms", coord.stop_grace_ms,
                        "SIGTERM to SIGKILL when stopping trials (10000)");
  run_cmd->add_option("--backend", run.backend, "Where trials run: local, slurm");
  run_cmd
      ->add_option("--sbatch-arg", run.sbatch_args,
                   "An sbatch option for each trial's job (--backend slurm)")
      ->allow_extra_args(false);

  // slurm agents, trial-exec (what a trial's Slurm job runs)
  auto* slurm_cmd = app.add_subcommand("slurm", "Slurm helpers");
  slurm_cmd->require_subcommand(1);
  salvo::SlurmAgentsOptions agents;
  auto* agents_cmd = slurm_cmd->add_subcommand(
      "agents", "Submit N agents as a Slurm job array; other options go to sbatch");
  agents_cmd->add_option("count", agents.count, "Number of agents")->required();
  agents_cmd->add_option("--connect", agents.connect, "The coordinator's address");
  agents_cmd->add_option("--signal", agents.signal,
                         "sbatch --signal for the agents (default B:USR1@60)");
  agents_cmd->add_option("--slots", agents.slots, "Trials at once per agent");
  agents_cmd->add_option("--gpus-per-trial", agents.gpus_per_trial,
                         "GPUs per trial, from the GPUs Slurm gives each agent");
  agents_cmd->allow_extras();
  std::string trial_spec;
  auto* trial_exec_cmd = app.add_subcommand("trial-exec", "Run one trial from its spec");
  trial_exec_cmd->add_option("--spec", trial_spec, "The trial's spec file")->required();
  trial_exec_cmd->group("");

  // runs (list, info, rm)
  salvo::RunsOptions runs;
  auto* runs_cmd = app.add_subcommand("runs", "List runs");
  runs_cmd->require_subcommand(0, 1);
  AddSelection(runs_cmd, runs.sel, true);
  runs_cmd->add_flag("--json", runs.json, "Print the runs as JSON");
  runs_cmd->add_option("-n,--limit", runs.limit, "Rows to show (default 20)");
  auto* runs_list = runs_cmd->add_subcommand("list", "List runs");
  AddSelection(runs_list, runs.sel, true);
  runs_list->add_flag("--json", runs.json, "Print the runs as JSON");
  runs_list->add_option("-n,--limit", runs.limit, "Rows to show (default 20)");
  salvo::RunsInfoOptions info;
  auto* runs_info = runs_cmd->add_subcommand("info", "Show a run in detail");
  runs_info->add_option("run", info.run, "Run id prefix or index")->required();
  runs_info->add_flag("--json", info.json, "Print as JSON");
  salvo::RunsRmOptions rm;
  auto* runs_rm = runs_cmd->add_subcommand("rm", "Delete runs");
  runs_rm->alias("delete");
  AddSelection(runs_rm, rm.sel, true);
  runs_rm->add_flag("-y,--yes", rm.yes, "Do not ask for confirmation");

  // compare
  salvo::CompareOptions cmp;
  auto* compare_cmd = app.add_subcommand("compare", "Compare runs' flags and scalars");
  AddSelection(compare_cmd, cmp.sel, true);
  compare_cmd->add_flag("-t,--table", cmp.table, "Print a table (not interactive)");
  compare_cmd->add_option("--min", cmp.min_col, "Sort by this column, lowest first");
  compare_cmd->add_option("--max", cmp.max_col, "Sort by this column, highest first");
  compare_cmd->add_option("-n,--top,--limit", cmp.top, "Show only the first N rows");
  compare_cmd->add_option("--csv", cmp.csv,
                          "Write CSV to PATH, or - for standard output");
  compare_cmd->add_flag("--json", cmp.json, "Print JSON");
  compare_cmd->add_flag("--include-batch", cmp.include_batch, "Include batch runs");
  compare_cmd->add_option("-c,--columns", cmp.columns, "Extra columns (comma separated)");
  compare_cmd->add_option("--strict-columns", cmp.strict_columns,
                          "Only these columns (-cc)");
  compare_cmd->add_flag("-r,--skip-core", cmp.skip_core, "Leave out the core columns");
  compare_cmd->add_flag("-p,--skip-op-cols", cmp.skip_op_cols,
                        "Leave out flags and scalars");

  // select
  salvo::SelectOptions sel;
  auto* select_cmd = app.add_subcommand("select", "Print the id of a run");
  AddSelection(select_cmd, sel.sel, true);
  select_cmd->add_flag("-s,--short-id", sel.short_id, "Print the short id");
  select_cmd->add_flag("-p,--path,--dir", sel.path, "Print the run's folder");
  select_cmd->add_option("--attr", sel.attr, "Print one attribute of the run");
  select_cmd->add_option("--min", sel.min_col,
                         "The run with the lowest value of this column");
  select_cmd->add_option("--max", sel.max_col,
                         "The run with the highest value of this column");

  // stop, cat
  salvo::StopOptions stop;
  auto* stop_cmd = app.add_subcommand("stop", "Stop running runs");
  stop_cmd->add_option("runs", stop.runs,
                       "Runs to stop (default: every running batch and run)");
  stop_cmd->add_flag("-y,--yes", stop.yes, "Do not ask for confirmation");
  salvo::CatOptions cat;
  auto* cat_cmd = app.add_subcommand("cat", "Print a run's output");
  cat_cmd->add_option("run", cat.run, "Run id prefix or index (default: the newest)");

  // view, tensorboard
  salvo::ViewOptions view;
  auto* view_cmd = app.add_subcommand("view", "Serve a web page of the runs, with plots");
  view_cmd->add_option("--port", view.port, "Port to listen on (default 8080; 0: any)");
  view_cmd->add_option("--host", view.host, "Address to listen on (default 127.0.0.1)");
  salvo::TensorboardOptions tb;
  auto* tb_cmd = app.add_subcommand(
      "tensorboard", "Write runs as TensorBoard event files and start TensorBoard");
  AddSelection(tb_cmd, tb.sel, true);
  tb_cmd->add_option("--logdir", tb.logdir,
                     "Folder to write (default $SALVO_HOME/tensorboard, emptied first)");
  AgentArgs agent;
  auto* agent_cmd = app.add_subcommand("agent", "Run trials for a coordinator");
  AddAgentCommand(agent_cmd, agent);
  bool agents_json = false;
  auto* agents_list_cmd =
      app.add_subcommand("agents", "List the coordinator's agents and their state");
  agents_list_cmd->add_flag("--json", agents_json, "Print the agents as JSON");
  std::string keygen_out;
  auto* keygen_cmd = app.add_subcommand("keygen", "Make a CurveZMQ key pair");
  keygen_cmd->add_option("--out", keygen_out, "Writes PREFIX.pub and PREFIX.key")
      ->required();

  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    // CLI11 reports a mistyped command as a missing one: name what was typed.
    if (what == "A subcommand is required") {
      for (const std::string& a : raw) {
        if (a.empty() || a[0] == '-') continue;
        what = "unknown command '" + a +
               "' (commands: run, runs, compare, select, stop, cat, view, tensorboard, "
               "coordinator, agent, agents, keygen, slurm)";
        break;
      }
    }
    std::cerr << "salvo: error: " << what << "\n";
    std::cerr << "Try 'salvo --help' or 'salvo COMMAND --help'.\n";
    return 2;
  }

  if (coord_cmd->parsed()) return salvo::CmdCoordinator(coord);
  if (salvo::Status s = salvo::ConfigureRemote(salvo::ResolveHome(), remote); !s.ok())
    return salvo::UsageError(s.message());
  if (run_cmd->parsed()) {
    // On a coordinator, a batch without -j uses every free agent slot.
    if (salvo::Remote() && run_cmd->count("-j") == 0) run.parallel = 1 << 20;
    if (!run_args.empty()) {
      if (run_args[0].find('=') == std::string::npos && run_args[0][0] != '@') {
        run.operation = run_args[0];
        run.flag_args.assign(run_args.begin() + 1, run_args.end());
      } else {
        run.flag_args = run_args;
      }
    }
    return salvo::CmdRun(run);
  }
  if (runs_cmd->parsed()) {
    if (runs.limit < 0) return salvo::UsageError("--limit must not be negative");
    if (runs_info->parsed()) {
      if (info.run.empty()) return salvo::UsageError("the run to show is empty");
      return salvo::CmdRunsInfo(info);
    }
    if (runs_rm->parsed()) return salvo::CmdRunsRm(rm);
    return salvo::CmdRunsList(runs);
  }
  if (compare_cmd->parsed()) {
    if (cmp.top && *cmp.top < 0) return salvo::UsageError("--top must not be negative");
    return salvo::CmdCompare(cmp);
  }
  if (select_cmd->parsed()) return salvo::CmdSelect(sel);
  if (stop_cmd->parsed()) return salvo::CmdStop(stop);
  if (cat_cmd->parsed()) {
    if (cat_cmd->count("run") && cat.run.empty())
      return salvo::UsageError("the run to show is empty (leave it out for the newest)");
    return salvo::CmdCat(cat);
  }
  if (view_cmd->parsed()) return salvo::CmdView(view);
  if (tb_cmd->parsed()) return salvo::CmdTensorboard(tb);
  if (agents_cmd->parsed()) {
    agents.sbatch_args = agents_cmd->remaining();
    // The agents authenticate with the key pair given to this command (--key and
    // --server-key, else SALVO_KEY and SALVO_SERVER_KEY).
    auto env = [](const char* name) -> std::string {
      const char* v = std::getenv(name);
      return v ? v : "";
    };
    agents.key = !remote.key_file.empty() ? remote.key_file : env("SALVO_KEY");
    agents.server_key = !remote.server_key_file.empty() ? remote.server_key_file
                                                        : env("SALVO_SERVER_KEY");
    return salvo::CmdSlurmAgents(agents);
  }
  if (trial_exec_cmd->parsed()) return salvo::CmdTrialExec(trial_spec);
  if (agent_cmd->parsed()) return agent.Run();
  if (keygen_cmd->parsed()) return salvo::CmdKeygen(keygen_out);
  if (agents_list_cmd->parsed()) return salvo::RemoteAgents(agents_json);
  return 2;
}
