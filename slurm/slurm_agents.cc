// `salvo slurm agents N`: agents as the tasks of one job array.

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/core/clock.h"
#include "coordinator/commands.h"
#include "slurm/slurm_executor.h"
#include "slurm/slurm_script.h"

namespace salvo {

int CmdSlurmAgents(const SlurmAgentsOptions& options) {
  if (options.count < 1) return UsageError("the number of agents must be at least 1");
  if (options.connect.empty())
    return UsageError(
        "salvo slurm agents needs --connect URL (the coordinator's address)");
  auto sbatch_args = SbatchOptionLines(options.sbatch_args);
  if (!sbatch_args.ok()) return UsageError(sbatch_args.status().message());
  if (options.key.empty() != options.server_key.empty())
    return UsageError(
        "agents need both --key (their key pair) and --server-key (the coordinator's "
        "public key), or neither");
  if (options.slots < 0 || options.gpus_per_trial < 0)
    return UsageError("--slots and --gpus-per-trial must not be negative");
  for (const std::string& file : {options.key, options.server_key}) {
    std::error_code exists_ec;
    if (!file.empty() && !std::filesystem::is_regular_file(file, exists_ec))
      return UsageError("key file " + file + " does not exist");
  }

  // The script stays with the agents' output, one folder per submission.
  Home home = ResolveHome();
  std::string dir =
      home.dir + "/slurm/agents-" + std::to_string(SystemClock().NowMicros() / 1000);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "salvo: error: cannot create " << dir << ": " << ec.message() << "\n";
    return 1;
  }
  std::error_code self_ec;
  std::string self = std::filesystem::read_symlink("/proc/self/exe", self_ec).string();

  AgentArraySpec spec;
  spec.count = options.count;
  spec.connect = options.connect;
  spec.salvo_path = self_ec ? "salvo" : self;
  spec.output_dir = dir;
  spec.signal = options.signal;
  spec.sbatch_args = *sbatch_args;
  // The jobs run elsewhere, from another folder: absolute key paths.
  if (!options.key.empty()) {
    spec.key = std::filesystem::absolute(options.key).string();
    spec.server_key = std::filesystem::absolute(options.server_key).string();
  }
  spec.slots = options.slots;
  spec.gpus_per_trial = options.gpus_per_trial;
  std::string script = dir + "/" + kJobScriptFile;
  {
    std::ofstream out(script, std::ios::binary | std::ios::trunc);
    out << AgentArrayScript(spec);
    if (!out) {
      std::cerr << "salvo: error: cannot write " << script << "\n";
      return 1;
    }
  }

  SlurmCli cli(SlurmCommands{}, SystemCommandRunner(std::chrono::seconds(30)));
  auto job = cli.Submit(script, {});
  if (!job.ok()) {
    std::cerr << "salvo: error: " << job.status().message() << "\n";
    return job.status().code() == Code::kInvalidArgument ? 2 : 1;
  }
  spdlog::info("submitted {} agents as Slurm job array {} (script {})", options.count,
               *job, script);
  std::cout << *job << "\n";
  return 0;
}

}  // namespace salvo
