#include "slurm/slurm_script.h"

#include <nlohmann/json.hpp>

#include "common/core/ids.h"

namespace salvo {

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Result<std::vector<std::string>> SbatchOptionLines(const std::vector<std::string>& args) {
  std::vector<std::string> lines;
  for (const std::string& a : args) {
    if (a.find_first_of("\n\r") != std::string::npos)
      return Status::Invalid("an sbatch option may not contain a line break: '" + a +
                             "'");
    if (!a.empty() && a[0] == '-') {
      lines.push_back(a);
    } else if (!lines.empty() && lines.back().find('=') == std::string::npos &&
               lines.back().find(' ') == std::string::npos) {
      lines.back() += " " + a;
    } else {
      return Status::Invalid("not an sbatch option: '" + a + "' (options start with -)");
    }
  }
  return lines;
}

std::string TrialJobName(const std::string& batch_id, const std::string& run_id,
                         int64_t trial_index) {
  if (batch_id.empty() || trial_index < 0) return "salvo-" + ShortId(run_id);
  return "salvo-" + ShortId(batch_id) + "-" + std::to_string(trial_index);
}

namespace {

std::string SbatchLines(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) out += "#SBATCH " + a + "\n";
  return out;
}

}  // namespace

std::string TrialJobScript(const TrialScriptSpec& spec) {
  std::vector<std::string> args = {
      "--job-name=" + spec.job_name,
      "--output=" + spec.run_dir + "/slurm-%j.out",
      "--open-mode=append",
      "--chdir=" + spec.run_dir,
      "--requeue",
  };
  if (!spec.signal.empty()) args.push_back("--signal=" + spec.signal);
  args.insert(args.end(), spec.sbatch_args.begin(), spec.sbatch_args.end());

  std::string events = ShellQuote(spec.run_dir + "/" + kJobEventsFile);
  return "#!/bin/bash\n"
         "# Written by Salvo: runs one trial as this job (salvo trial-exec), forwards\n"
         "# Slurm's signals to it at once and records each run in " +
         std::string(kJobEventsFile) + ".\n" + SbatchLines(args) +
         "\n"
         "events=" +
         events +
         "\n"
         "restart=${SLURM_RESTART_COUNT:-0}\n"
         "signals=\n"
         "child=\n"
         "forward() {\n"
         "  signals=${signals:+$signals,}$1\n"
         "  if [[ -n $child ]]; then kill -s \"$1\" \"$child\" 2>/dev/null; fi\n"
         "}\n"
         "for sig in USR1 USR2 TERM INT HUP; do trap \"forward $sig\" \"$sig\"; done\n"
         "\n"
         "printf '{\"event\":\"start\",\"job\":\"%s\",\"restart\":%d,\"time\":%s,"
         "\"host\":\"%s\"}\\n' \\\n"
         "  \"$SLURM_JOB_ID\" \"$restart\" \"$EPOCHREALTIME\" "
         "\"${SLURMD_NODENAME:-$HOSTNAME}\" >>\"$events\"\n" +
         ShellQuote(spec.salvo_path) + " trial-exec --spec " +
         ShellQuote(spec.spec_path) +
         " &\n"
         "child=$!\n"
         "# wait returns early when a trapped signal arrives; wait again until the "
         "trial\n"
         "# has ended.\n"
         "while :; do\n"
         "  wait \"$child\"\n"
         "  status=$?\n"
         "  kill -0 \"$child\" 2>/dev/null || break\n"
         "done\n"
         "wait \"$child\" 2>/dev/null\n"
         "last=$?\n"
         "if ((last != 127)); then status=$last; fi\n"
         "printf '{\"event\":\"end\",\"job\":\"%s\",\"restart\":%d,\"time\":%s,"
         "\"exit_code\":%d,\"signals\":\"%s\"}\\n' \\\n"
         "  \"$SLURM_JOB_ID\" \"$restart\" \"$EPOCHREALTIME\" \"$status\" \"$signals\" "
         ">>\"$events\"\n"
         "exit \"$status\"\n";
}

std::string AgentArrayScript(const AgentArraySpec& spec) {
  std::vector<std::string> args = {
      "--job-name=" + spec.job_name,
      "--array=0-" + std::to_string(spec.count - 1),
      "--output=" + spec.output_dir + "/agent-%A_%a.out",
      "--open-mode=append",
      "--requeue",
  };
  if (!spec.signal.empty()) args.push_back("--signal=" + spec.signal);
  args.insert(args.end(), spec.sbatch_args.begin(), spec.sbatch_args.end());
  std::string extra;
  if (!spec.key.empty())
    extra +=
        " --key " + ShellQuote(spec.key) + " --server-key " + ShellQuote(spec.server_key);
  if (spec.slots > 0) extra += " --slots " + std::to_string(spec.slots);
  if (spec.gpus_per_trial > 0)
    extra += " --gpus-per-trial " + std::to_string(spec.gpus_per_trial);
  return "#!/bin/bash\n"
         "# Written by Salvo: each task of this array runs one agent that pulls trials\n"
         "# from the coordinator for the job's lifetime. exec makes the agent the batch\n"
         "# shell, so Slurm's signals reach it directly. The GPUs Slurm gave the task\n"
         "# (CUDA_VISIBLE_DEVICES) are the ones the agent hands out.\n" +
         SbatchLines(args) +
         "\n"
         "task=\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n"
         "exec " +
         ShellQuote(spec.salvo_path) + " agent --connect " + ShellQuote(spec.connect) +
         " --name \"slurm-$task\" --home " + ShellQuote(spec.output_dir) +
         "/\"agent-$task\"" + extra +
         " ${CUDA_VISIBLE_DEVICES:+--gpus \"$CUDA_VISIBLE_DEVICES\"}\n";
}

std::vector<JobEvent> ParseJobEvents(std::string_view text) {
  std::vector<JobEvent> events;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;  // a line still being written
    auto j = nlohmann::json::parse(text.substr(start, nl - start), nullptr, false);
    start = nl + 1;
    if (!j.is_object()) continue;
    try {
      JobEvent e;
      e.event = j.at("event").get<std::string>();
      e.job = j.at("job").get<std::string>();
      e.restart = j.at("restart").get<int>();
      e.time = j.value("time", 0.0);
      e.host = j.value("host", "");
      e.exit_code = j.value("exit_code", 0);
      std::string signals = j.value("signals", "");
      for (size_t p = 0; p < signals.size();) {
        size_t comma = signals.find(',', p);
        if (comma == std::string::npos) comma = signals.size();
        if (comma > p) e.signals.push_back(signals.substr(p, comma - p));
        p = comma + 1;
      }
      events.push_back(std::move(e));
    } catch (const nlohmann::json::exception&) {
      continue;
    }
  }
  return events;
}

}  // namespace salvo
