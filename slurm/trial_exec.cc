#include "slurm/trial_exec.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/core/flag_value.h"

namespace salvo {

using json = nlohmann::json;

Status WriteTrialSpec(const std::string& path, const TrialLaunch& launch) {
  json patterns = json::array();
  for (const ScalarPattern& p : launch.scalar_patterns)
    patterns.push_back({{"tag", p.tag}, {"regex", p.regex}});
  json spec = {{"run_id", launch.run_id},
               {"argv", launch.argv},
               {"cwd", launch.cwd},
               {"env", launch.env},
               {"output_path", launch.output_path},
               {"flag_names", launch.flag_names},
               {"scalar_patterns", patterns}};
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << spec.dump(2) << '\n';
    if (!out) return Status::IoError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot write " + path + ": " + ec.message());
  return Status::Ok();
}

Result<TrialLaunch> ReadTrialSpec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read trial spec " + path);
  try {
    json spec = json::parse(in);
    TrialLaunch launch;
    launch.run_id = spec.at("run_id").get<std::string>();
    launch.argv = spec.at("argv").get<std::vector<std::string>>();
    launch.cwd = spec.at("cwd").get<std::string>();
    launch.env = spec.at("env").get<std::map<std::string, std::string>>();
    launch.output_path = spec.at("output_path").get<std::string>();
    launch.flag_names = spec.at("flag_names").get<std::set<std::string>>();
    for (const json& p : spec.at("scalar_patterns"))
      launch.scalar_patterns.push_back(
          {p.at("tag").get<std::string>(), p.at("regex").get<std::string>()});
    return launch;
  } catch (const json::exception& e) {
    return Status::Invalid("bad trial spec " + path + ": " + e.what());
  }
}

std::string FormatScalarLine(const JobScalar& s) {
  // JSON has no nan or inf: those values travel as the text the output had.
  json value = std::isfinite(s.point.value) ? json(s.point.value)
                                            : json(FormatFloat(s.point.value));
  json line = {{"job", s.job},
               {"restart", s.restart},
               {"tag", s.point.tag},
               {"step", s.point.step},
               {"value", value}};
  return line.dump();
}

Result<JobScalar> ParseScalarLine(std::string_view line) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Invalid("not a scalar line");
  try {
    JobScalar s;
    s.job = j.at("job").get<std::string>();
    s.restart = j.at("restart").get<int>();
    s.point.tag = j.at("tag").get<std::string>();
    s.point.step = j.at("step").get<int64_t>();
    const json& v = j.at("value");
    if (v.is_number()) {
      s.point.value = v.get<double>();
    } else {
      auto parsed = ParseScalarNumber(v.get<std::string>());
      if (!parsed) return Status::Invalid("bad scalar value");
      s.point.value = *parsed;
    }
    if (s.point.tag.empty()) return Status::Invalid("scalar without a tag");
    return s;
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("bad scalar line: ") + e.what());
  }
}

std::vector<JobScalar> ReadScalarLines(const std::string& path, int64_t* offset) {
  std::vector<JobScalar> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  in.seekg(*offset);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;
    auto parsed = ParseScalarLine(std::string_view(text).substr(start, nl - start));
    if (parsed.ok()) out.push_back(std::move(parsed).value());
    start = nl + 1;
  }
  *offset += static_cast<int64_t>(start);
  return out;
}

// ---------------------------------------------------------------------------------------
// trial-exec

namespace {

// Signals received and not yet forwarded, one bit per signal number.
std::atomic<uint64_t> g_pending{0};

void OnSignal(int sig) { g_pending.fetch_or(uint64_t{1} << sig); }

constexpr int kForwarded[] = {SIGUSR1, SIGUSR2, SIGTERM, SIGINT, SIGHUP};

}  // namespace

int CmdTrialExec(const std::string& spec_path) {
  auto launch = ReadTrialSpec(spec_path);
  if (!launch.ok()) {
    std::cerr << "salvo: error: " << launch.status().message() << "\n";
    return 2;
  }
  const char* job_env = std::getenv("SLURM_JOB_ID");
  const char* restart_env = std::getenv("SLURM_RESTART_COUNT");
  std::string job = job_env ? job_env : "";
  int restart = restart_env ? std::atoi(restart_env) : 0;

  // Handlers, not SIG_IGN or a blocked mask: the trial must start with default
  // dispositions, and exec resets handlers.
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : kForwarded) sigaction(sig, &sa, nullptr);

  std::string scalars_path = launch->cwd + "/" + kScalarsFile;
  auto scalars =
      std::make_shared<std::ofstream>(scalars_path, std::ios::app | std::ios::binary);
  auto mu = std::make_shared<std::mutex>();
  TrialProcess::ScalarSink sink = [=](const std::string&, const ScalarPoint& p) {
    std::lock_guard<std::mutex> lock(*mu);
    *scalars << FormatScalarLine({job, restart, p}) << '\n';
    scalars->flush();
  };
  launch->echo = false;
  auto trial = TrialProcess::Start(*launch, sink);
  if (!trial.ok()) {
    std::cerr << "salvo: error: " << trial.status().message() << "\n";
    return 127;
  }
  spdlog::info("trial {} started as pid {} (job {}, restart {})", launch->run_id,
               (*trial)->pid(), job, restart);

  std::optional<TrialExit> exit;
  while (!(exit = (*trial)->Poll())) {
    uint64_t pending = g_pending.exchange(0);
    for (int sig : kForwarded) {
      if (!(pending & (uint64_t{1} << sig))) continue;
      spdlog::info("trial {}: forwarding signal {}", launch->run_id, strsignal(sig));
      (*trial)->Signal(sig);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  spdlog::info("trial {} exited with status {}", launch->run_id, exit->exit_code);
  return exit->exit_code;
}

}  // namespace salvo
