#include "agent/trial_runner.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string_view>

namespace salvo {

extern const char kLauncherSource[];

namespace bp = boost::process;
namespace fs = std::filesystem;

struct TrialProcess::Child {
  bp::ipstream out;
  bp::child child;
};

namespace {

// Runs in the child between fork and exec: a process group of its own (so a stop
// reaches every process the trial starts) and death with its runner.
struct TrialExecSetup : bp::extend::handler {
  pid_t parent = 0;
  template <class Executor>
  void on_exec_setup(Executor&) const {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(128 + SIGKILL);  // the runner died before prctl
  }
};

// Hands execve the given environment (NAME=VALUE strings, null-terminated) directly:
// Boost.Process's own environment lookup reads past the end of shorter entries (a heap
// overflow under ASan).
struct EnvOnly : bp::extend::handler {
  char** env;
  explicit EnvOnly(char** e) : env(e) {}
  template <class Executor>
  void on_setup(Executor& exec) const {
    exec.env = env;
  }
};

// This process's environment with some variables added or replaced, as execve takes it.
class ChildEnvironment {
 public:
  explicit ChildEnvironment(const std::map<std::string, std::string>& changes) {
    std::map<std::string, std::string> vars;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string_view entry(*e);
      size_t eq = entry.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      vars.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    for (const auto& [k, v] : changes) vars[k] = v;
    entries_.reserve(vars.size());
    for (const auto& [k, v] : vars) entries_.push_back(k + "=" + v);
    pointers_.reserve(entries_.size() + 1);
    for (std::string& entry : entries_) pointers_.push_back(entry.data());
    pointers_.push_back(nullptr);
  }
  char** get() { return pointers_.data(); }

 private:
  std::vector<std::string> entries_;
  std::vector<char*> pointers_;
};

Result<std::string> FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  fs::path found = bp::search_path(name).string();
  if (found.empty()) return Status::NotFound("cannot find '" + name + "' on PATH");
  return found.string();
}

}  // namespace

TrialProcess::~TrialProcess() {
  if (child_ && child_->child.running()) {
    Signal(SIGKILL);
  }
  if (reader_.joinable()) reader_.join();
  if (child_ && child_->child.valid()) {
    std::error_code ec;
    child_->child.wait(ec);
  }
}

Result<std::unique_ptr<TrialProcess>> TrialProcess::Start(const TrialLaunch& launch,
                                                          ScalarSink sink) {
  if (launch.argv.empty())
    return Status::Invalid("empty command for trial " + launch.run_id);
  auto exe = FindExecutable(launch.argv[0]);
  if (!exe.ok()) return exe.status();

  std::error_code ec;
  fs::create_directories(launch.cwd, ec);
  if (ec)
    return Status::IoError("cannot create run directory " + launch.cwd + ": " +
                           ec.message());

  std::unique_ptr<TrialProcess> p(new TrialProcess());
  p->launch_ = launch;
  p->sink_ = std::move(sink);
  p->child_ = std::make_unique<Child>();

  ChildEnvironment env(launch.env);
  std::vector<std::string> args(launch.argv.begin() + 1, launch.argv.end());
  TrialExecSetup setup;
  setup.parent = getpid();
  try {
    p->child_->child = bp::child(
        bp::exe = *exe, bp::args = args, bp::start_dir = launch.cwd, EnvOnly{env.get()},
        bp::std_in<bp::null, (bp::std_out & bp::std_err)> p->child_->out, setup);
  } catch (const std::exception& e) {
    return Status::IoError("cannot start trial " + launch.run_id + ": " + e.what());
  }
  p->pid_ = p->child_->child.id();
  p->reader_ = std::thread([raw = p.get()] { raw->ReadOutput(0); });
  return p;
}

void TrialProcess::ReadOutput(int) {
  std::ofstream log(launch_.output_path, std::ios::app | std::ios::binary);
  auto parser = OutputScalarParser(launch_.flag_names, launch_.scalar_patterns);
  std::string line;
  while (std::getline(child_->out, line)) {
    log << line << '\n';
    log.flush();
    if (launch_.echo) {
      if (launch_.echo_line)
        launch_.echo_line(line);
      else
        std::cout << line << '\n' << std::flush;
    }
    std::string_view text = line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    for (const ScalarPoint& point : parser.Feed(text)) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        scalars_.push_back(point);
      }
      if (sink_) sink_(launch_.run_id, point);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    output_done_ = true;
  }
  if (launch_.on_output_done) launch_.on_output_done();
}

std::optional<TrialExit> TrialProcess::Poll() {
  if (exit_) return exit_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!output_done_) return std::nullopt;
  }
  return Wait();
}

TrialExit TrialProcess::Wait() {
  if (exit_) return *exit_;
  if (reader_.joinable()) reader_.join();
  std::error_code ec;
  child_->child.wait(ec);
  int status = child_->child.native_exit_code();
  TrialExit e;
  if (WIFEXITED(status)) {
    e.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
    e.exit_code = 128 + e.signal;
  }
  exit_ = e;
  return e;
}

void TrialProcess::Signal(int sig) {
  if (pid_ > 0 && !exit_) ::kill(-pid_, sig);
}

std::vector<ScalarPoint> TrialProcess::Scalars() const {
  std::lock_guard<std::mutex> lock(mu_);
  return scalars_;
}

Result<std::string> RunAndCapture(const std::vector<std::string>& argv,
                                  const std::map<std::string, std::string>& env_add) {
  if (argv.empty()) return Status::Invalid("empty command");
  auto exe = FindExecutable(argv[0]);
  if (!exe.ok()) return exe.status();
  ChildEnvironment env(env_add);
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  bp::ipstream out, err;
  std::string text, err_text;
  int code = 0;
  try {
    bp::child c(bp::exe = *exe, bp::args = args, EnvOnly{env.get()},
                bp::std_in<bp::null, bp::std_out> out, bp::std_err > err);
    std::thread err_reader([&] {
      std::string line;
      while (std::getline(err, line)) err_text += line + "\n";
    });
    text.assign(std::istreambuf_iterator<char>(out), std::istreambuf_iterator<char>());
    err_reader.join();
    c.wait();
    code = c.exit_code();
  } catch (const std::exception& e) {
    return Status::IoError("cannot run " + argv[0] + ": " + e.what());
  }
  if (code != 0) {
    std::string last = err_text;
    while (!last.empty() && last.back() == '\n') last.pop_back();
    if (auto nl = last.rfind('\n'); nl != std::string::npos) last = last.substr(nl + 1);
    return Status::Invalid(argv[0] + " exited with status " + std::to_string(code) +
                           (last.empty() ? "" : ": " + last));
  }
  return text;
}

namespace {

// The script trials start: it imports the launcher module, which the interpreter then
// loads from its cached bytecode rather than compiling it for every trial.
constexpr char kEntrySource[] =
    R"PY(# Written by Salvo: runs a trial with salvo_launch.py beside it.
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
if not sys.path or os.path.abspath(sys.path[0] or ".") != here:
    sys.path.insert(0, here)
del here
# Salvo's own folder, so its bytecode is cached even where the user's is not; the
# user's setting holds again before the script runs.
user_setting = sys.dont_write_bytecode
sys.dont_write_bytecode = False
import salvo_launch

sys.dont_write_bytecode = user_setting
del user_setting

salvo_launch.main()
)PY";

// Writes `content` to `path` unless the file already holds it (atomically, by rename).
Status InstallFile(const std::string& path, const std::string& content) {
  {
    std::ifstream in(path, std::ios::binary);
    std::string have((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    if (have == content) return Status::Ok();
  }
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) return Status::IoError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot install " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<std::string> InstallLauncher(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  SALVO_RETURN_IF_ERROR(InstallFile(dir + "/salvo_launch.py", kLauncherSource));
  std::string entry = dir + "/salvo_entry.py";
  SALVO_RETURN_IF_ERROR(InstallFile(entry, kEntrySource));
  return entry;
}

}  // namespace salvo
