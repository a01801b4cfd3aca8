#pragma once
// TrialProcess: one trial's process, its output and its scalars. The local executor,
// the agent daemon and Slurm jobs all run trials through this class, so a trial behaves
// the same everywhere.
//
// The process runs in its own process group, in its run directory, and dies with the
// thread that started it (PR_SET_PDEATHSIG): start trials from a thread that lives as
// long as the runner (the main thread). Standard output and error are merged, written
// to the output log and parsed for output scalars by a reader thread; Poll() and Wait()
// may be called from the starting thread only.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/core/output_scalars.h"
#include "common/core/status.h"

namespace salvo {

struct TrialLaunch {
  std::string run_id;
  std::vector<std::string> argv;           // argv[0] is found on PATH when it has no '/'
  std::string cwd;                         // the run directory (created if missing)
  std::map<std::string, std::string> env;  // added to (or replacing in) the environment
  std::string output_path;                 // where the merged output log goes
  std::set<std::string> flag_names;        // keys the default scalar patterns ignore
  std::vector<ScalarPattern> scalar_patterns;
  bool echo = false;  // also copy output lines to this process's stdout
  // With echo: when set, each echoed line goes through this (on the reader thread)
  // instead of straight to stdout, e.g. to keep a progress line below the output.
  std::function<void(const std::string&)> echo_line;
  // Called on the reader thread once the output has been read to its end (the process
  // has exited or closed its output), so a waiting caller can Poll().
  std::function<void()> on_output_done;
};

struct TrialExit {
  int exit_code = 0;  // the process's exit status, or 128 + signal when killed
  int signal = 0;     // the signal that killed it, 0 when it exited
};

class TrialProcess {
 public:
  // Called on the reader thread for every scalar point parsed from the output.
  using ScalarSink = std::function<void(const std::string& run_id, const ScalarPoint&)>;

  ~TrialProcess();
  static Result<std::unique_ptr<TrialProcess>> Start(const TrialLaunch& launch,
                                                     ScalarSink sink);

  int pid() const { return pid_; }
  const std::string& run_id() const { return launch_.run_id; }
  // The exit, once the process has ended and its output has been read to the end.
  std::optional<TrialExit> Poll();
  TrialExit Wait();
  // Sends a signal to the trial's whole process group.
  void Signal(int sig);
  // Every scalar point seen so far (also delivered to the sink as it arrives).
  std::vector<ScalarPoint> Scalars() const;

 private:
  TrialProcess() = default;
  void ReadOutput(int fd);

  TrialLaunch launch_;
  ScalarSink sink_;
  int pid_ = 0;
  std::thread reader_;
  mutable std::mutex mu_;
  bool output_done_ = false;          // guarded by mu_
  std::vector<ScalarPoint> scalars_;  // guarded by mu_
  std::optional<TrialExit> exit_;
  struct Child;
  std::unique_ptr<Child> child_;
};

// Runs a short helper command to its end and returns what it printed on standard
// output (standard error is passed through). Error when it cannot start or exits
// non-zero; the message then carries the last line it printed on standard error.
Result<std::string> RunAndCapture(const std::vector<std::string>& argv,
                                  const std::map<std::string, std::string>& env = {});

// Installs the embedded trial launcher (agent/python/salvo_launch.py) as the module
// `dir/salvo_launch.py`, and the entry script that imports it, `dir/salvo_entry.py`,
// each written when missing or different; returns the entry script's path, which
// takes `inspect SCRIPT` or `run SCRIPT`.
Result<std::string> InstallLauncher(const std::string& dir);

}  // namespace salvo
