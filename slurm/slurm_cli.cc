#include "slurm/slurm_cli.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/process.hpp>
#include <charconv>
#include <thread>

namespace salvo {

namespace bp = boost::process;

// ---------------------------------------------------------------------------------------
// Running commands

CommandRunner SystemCommandRunner(std::chrono::milliseconds timeout) {
  return [timeout](const std::vector<std::string>& argv) -> Result<CommandOutput> {
    if (argv.empty()) return Status::Invalid("empty command");
    boost::filesystem::path exe = argv[0];
    if (argv[0].find('/') == std::string::npos) exe = bp::search_path(argv[0]);
    if (exe.empty()) return Status::NotFound("cannot find '" + argv[0] + "' on PATH");

    CommandOutput result;
    try {
      bp::ipstream out, err;
      std::vector<std::string> args(argv.begin() + 1, argv.end());
      bp::child child(exe, bp::args = args, bp::std_in<bp::null, bp::std_out> out,
                      bp::std_err > err);
      std::thread err_reader(
          [&] { result.err.assign(std::istreambuf_iterator<char>(err), {}); });
      std::thread out_reader(
          [&] { result.out.assign(std::istreambuf_iterator<char>(out), {}); });
      if (!child.wait_for(timeout)) {
        result.timed_out = true;
        child.terminate();
      }
      out_reader.join();
      err_reader.join();
      child.wait();
      result.exit_code = result.timed_out ? 128 + 9 : child.exit_code();
    } catch (const std::exception& e) {
      return Status::IoError("cannot run " + argv[0] + ": " + e.what());
    }
    return result;
  };
}

// ---------------------------------------------------------------------------------------
// Parsers

namespace {

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.push_back(
        text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

template <class Int>
bool ParseInt(std::string_view s, Int* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool IsDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "N/A", "n/a", "(null)" and empty mean no value in both tools' output.
std::string ValueOrEmpty(std::string_view v) {
  if (v == "N/A" || v == "n/a" || v == "(null)") return "";
  return std::string(v);
}

std::string Quote(std::string_view text) {
  constexpr size_t kMax = 120;
  std::string s(text.substr(0, kMax));
  return "'" + s + (text.size() > kMax ? "...'" : "'");
}

// The jobs `job` stands for: itself, or one per task when its id carries a compact task
// list ("12_[2-9%2]"), each with its task number.
// At most `limit` jobs.
Result<std::vector<SlurmJob>> ExpandJob(SlurmJob job, size_t limit) {
  if (limit == 0)
    return Status::Invalid("more than " + std::to_string(kMaxListedJobs) +
                           " jobs listed");
  auto ids = ExpandArrayJobId(job.id, limit);
  if (!ids.ok()) return ids.status();
  if (ids->size() == 1 && (*ids)[0] == job.id) return std::vector<SlurmJob>{job};
  std::vector<SlurmJob> jobs;
  jobs.reserve(ids->size());
  for (const std::string& id : *ids) {
    SlurmJob task = job;
    task.id = id;
    task.array_task = id.substr(id.find('_') + 1);
    jobs.push_back(std::move(task));
  }
  return jobs;
}

}  // namespace

Result<std::vector<SlurmJob>> ParseSqueue(std::string_view text) {
  std::vector<SlurmJob> jobs;
  for (std::string_view raw : Split(text, '\n')) {
    std::string_view line = Trim(raw);
    if (line.empty()) continue;
    // Reason is last, so a '|' inside it stays part of it.
    std::vector<std::string_view> f = Split(line, '|');
    if (f.size() < 9)
      return Status::Invalid("squeue line has too few fields: " + Quote(line));
    SlurmJob job;
    job.id = std::string(f[0]);
    job.job_id = std::string(f[1]);
    job.array_task = ValueOrEmpty(f[3]);
    if (!job.array_task.empty()) job.array_job_id = std::string(f[2]);
    job.state = std::string(f[4]);
    int64_t status = 0;
    if (job.id.empty() || job.state.empty() || !ParseInt(f[5], &job.restart_count) ||
        !ParseInt(f[6], &status)) {
      return Status::Invalid("squeue line is not a job: " + Quote(line));
    }
    std::tie(job.exit_code, job.exit_signal) = DecodeWaitStatus(status);
    job.host = ValueOrEmpty(f[7]);
    size_t reason_at = 8;  // separators before Reason
    for (size_t i = 0; i < 8; ++i) reason_at += f[i].size();
    job.reason = ValueOrEmpty(line.substr(reason_at));
    auto expanded = ExpandJob(std::move(job), kMaxListedJobs - jobs.size());
    if (!expanded.ok()) return expanded.status();
    for (SlurmJob& j : *expanded) jobs.push_back(std::move(j));
  }
  return jobs;
}

std::map<std::string, std::string> ParseScontrolFields(std::string_view line) {
  // A field starts at the line's start or after a space, with KEY= where KEY has no
  // space or '='. Finding every start first lets values keep their spaces.
  auto is_key_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '/' ||
           c == ':' || c == '-' || c == '.';
  };
  std::vector<std::pair<size_t, size_t>> starts;  // key start, '=' position
  for (size_t i = 0; i < line.size(); ++i) {
    if (i > 0 && line[i - 1] != ' ') continue;
    size_t j = i;
    while (j < line.size() && is_key_char(line[j])) ++j;
    if (j > i && j < line.size() && line[j] == '=') starts.emplace_back(i, j);
  }
  std::map<std::string, std::string> fields;
  for (size_t k = 0; k < starts.size(); ++k) {
    auto [key_start, eq] = starts[k];
    size_t end = k + 1 < starts.size() ? starts[k + 1].first : line.size();
    std::string_view value = Trim(line.substr(eq + 1, end - eq - 1));
    fields.emplace(std::string(line.substr(key_start, eq - key_start)),
                   std::string(value));
  }
  return fields;
}

Result<std::vector<SlurmJob>> ParseScontrolShowJob(std::string_view text) {
  std::vector<SlurmJob> jobs;
  for (std::string_view raw : Split(text, '\n')) {
    std::string_view line = Trim(raw);
    if (line.empty()) continue;
    auto f = ParseScontrolFields(line);
    auto get = [&f](const char* key) {
      auto it = f.find(key);
      return it == f.end() ? std::string() : ValueOrEmpty(it->second);
    };
    SlurmJob job;
    job.job_id = get("JobId");
    job.state = get("JobState");
    if (job.job_id.empty() || job.state.empty())
      return Status::Invalid("scontrol line has no JobId or JobState: " + Quote(line));
    job.array_job_id = get("ArrayJobId");
    job.array_task = get("ArrayTaskId");
    if (job.array_task.empty()) job.array_job_id.clear();
    bool compact = !IsDigits(job.array_task);
    job.id = job.array_task.empty() ? job.job_id
             : compact              ? job.array_job_id + "_[" + job.array_task + "]"
                                    : job.array_job_id + "_" + job.array_task;
    job.reason = get("Reason");
    job.host = get("BatchHost");
    std::string restarts = get("Restarts");
    if (!restarts.empty() && !ParseInt(std::string_view(restarts), &job.restart_count))
      return Status::Invalid("scontrol Restarts is not a number: " + Quote(restarts));
    std::string exit = get("ExitCode");
    if (!exit.empty()) {
      auto code = ParseExitCode(exit);
      if (!code.ok()) return code.status();
      std::tie(job.exit_code, job.exit_signal) = *code;
    }
    job.requeue = get("Requeue") != "0";
    auto expanded = ExpandJob(std::move(job), kMaxListedJobs - jobs.size());
    if (!expanded.ok()) return expanded.status();
    for (SlurmJob& j : *expanded) jobs.push_back(std::move(j));
  }
  return jobs;
}

Result<std::vector<int64_t>> ExpandArrayTasks(std::string_view list, size_t limit) {
  std::string_view s = Trim(list);
  if (!s.empty() && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (auto pct = s.find('%'); pct != std::string_view::npos) {
    int64_t throttle = 0;
    if (!ParseInt(s.substr(pct + 1), &throttle) || throttle < 0)
      return Status::Invalid("bad array throttle in " + Quote(list));
    s = s.substr(0, pct);
  }
  if (s.empty()) return Status::Invalid("empty array task list");

  std::vector<int64_t> tasks;
  for (std::string_view part : Split(s, ',')) {
    int64_t first = 0, last = 0, step = 1;
    std::string_view range = part;
    if (auto colon = part.find(':'); colon != std::string_view::npos) {
      range = part.substr(0, colon);
      if (!ParseInt(part.substr(colon + 1), &step) || step <= 0)
        return Status::Invalid("bad array step in " + Quote(list));
    }
    auto dash = range.find('-');
    bool ok = dash == std::string_view::npos
                  ? ParseInt(range, &first) && (last = first, true)
                  : ParseInt(range.substr(0, dash), &first) &&
                        ParseInt(range.substr(dash + 1), &last);
    if (!ok || first < 0 || last < first)
      return Status::Invalid("bad array task range " + Quote(part) + " in " +
                             Quote(list));
    for (int64_t t = first; t <= last; t += step) {
      if (tasks.size() >= limit)
        return Status::Invalid("array task list " + Quote(list) + " has more than " +
                               std::to_string(limit) + " tasks");
      tasks.push_back(t);
      if (last - t < step) break;  // no overflow past last
    }
  }
  return tasks;
}

Result<std::vector<std::string>> ExpandArrayJobId(std::string_view id, size_t limit) {
  if (id.find('[') == std::string_view::npos)
    return std::vector<std::string>{std::string(id)};
  auto underscore = id.find('_');
  if (underscore == std::string_view::npos)
    return Status::Invalid("bad array job id " + Quote(id));
  std::string_view base = id.substr(0, underscore);
  std::string_view list = id.substr(underscore + 1);
  if (!IsDigits(base) || list.size() < 2 || list.front() != '[' || list.back() != ']')
    return Status::Invalid("bad array job id " + Quote(id));
  auto tasks = ExpandArrayTasks(list, limit);
  if (!tasks.ok()) return tasks.status();
  std::vector<std::string> ids;
  ids.reserve(tasks->size());
  for (int64_t t : *tasks) ids.push_back(std::string(base) + "_" + std::to_string(t));
  return ids;
}

Result<std::pair<int, int>> ParseExitCode(std::string_view text) {
  auto colon = text.find(':');
  int code = 0, sig = 0;
  if (colon == std::string_view::npos || !ParseInt(text.substr(0, colon), &code) ||
      !ParseInt(text.substr(colon + 1), &sig) || code < 0 || sig < 0) {
    return Status::Invalid("bad Slurm ExitCode " + Quote(text));
  }
  return std::make_pair(code, sig);
}

std::pair<int, int> DecodeWaitStatus(int64_t status) {
  if (status < 0) return {0, 0};
  int sig = static_cast<int>(status & 0x7f);
  if (sig != 0) return {128 + sig, sig};
  return {static_cast<int>((status >> 8) & 0xff), 0};
}

Result<std::string> ParseSbatchJobId(std::string_view out) {
  std::string_view s = Trim(out);
  // Warnings may come first; the id is on the last line.
  if (auto nl = s.rfind('\n'); nl != std::string_view::npos) s = Trim(s.substr(nl + 1));
  s = s.substr(0, s.find(';'));
  if (!IsDigits(s)) return Status::Internal("sbatch printed no job id: " + Quote(out));
  return std::string(s);
}

bool IsTransientSlurmError(std::string_view err, bool timed_out) {
  if (timed_out) return true;
  static constexpr std::string_view kTransient[] = {
      "Socket timed out",
      "Resource temporarily unavailable",
      "Unable to contact slurm controller",
      "Slurm temporarily unable to accept job",
      "slurmctld not responding",
      "Zero Bytes were transmitted or received",
      "Connection refused",
      "Communication connection failure",
      "Transport endpoint is not connected",
      "Job submit/allocate failed: Slurm controller not responding",
      "Slurm backup controller in standby mode",
  };
  for (std::string_view t : kTransient) {
    if (err.find(t) != std::string_view::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Commands

namespace {

// The message of a failed command: its error lines (Slurm puts the reason last), else
// its exit status.
std::string FailureMessage(const std::string& program, const CommandOutput& out) {
  if (out.timed_out) return program + " did not answer in time";
  std::string err(Trim(out.err));
  if (err.empty())
    return program + " exited with status " + std::to_string(out.exit_code);
  // "sbatch: error: invalid partition specified: x\nsbatch: error: Batch job ..."
  std::string joined;
  for (std::string_view line : Split(err, '\n')) {
    line = Trim(line);
    if (line.empty()) continue;
    if (!joined.empty()) joined += "; ";
    joined += std::string(line);
  }
  return joined;
}

}  // namespace

SlurmCli::SlurmCli(SlurmCommands commands, CommandRunner runner, SubmitRetry retry,
                   Sleeper sleep)
    : commands_(std::move(commands)),
      runner_(std::move(runner)),
      retry_(retry),
      sleep_(std::move(sleep)) {
  if (!sleep_)
    sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

Result<CommandOutput> SlurmCli::Run(const std::vector<std::string>& argv) {
  auto out = runner_(argv);
  if (!out.ok()) return out.status();
  if (out->exit_code != 0 || out->timed_out)
    return Status(Code::kUnavailable, FailureMessage(argv[0], *out));
  return out;
}

Result<std::string> SlurmCli::Submit(const std::string& script,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> argv = {commands_.sbatch, "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(script);

  auto delay = retry_.first_delay;
  for (int attempt = 1;; ++attempt) {
    auto out = runner_(argv);
    if (!out.ok()) return out.status();
    if (out->exit_code == 0 && !out->timed_out) return ParseSbatchJobId(out->out);

    std::string message = FailureMessage(commands_.sbatch, *out);
    if (!IsTransientSlurmError(out->err, out->timed_out)) return Status::Invalid(message);
    if (attempt >= retry_.attempts) {
      return Status(Code::kUnavailable,
                    message + " (after " + std::to_string(attempt) + " attempts)");
    }
    spdlog::warn("sbatch failed ({}); trying again in {} ms ({} of {})", message,
                 delay.count(), attempt, retry_.attempts);
    sleep_(delay);
    delay = std::min(delay * 2, retry_.max_delay);
  }
}

Result<std::vector<SlurmJob>> SlurmCli::Queue(const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<SlurmJob>{};
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ",") + id;
  auto out = runner_({commands_.squeue, "--noheader", "--states=all", "--jobs=" + list,
                      "--Format=" + std::string(kSqueueFormat)});
  if (!out.ok()) return out.status();
  // With one id that Slurm forgot, squeue fails with "Invalid job id specified"; with
  // several, it lists the others.
  if (out->exit_code != 0 && out->err.find("Invalid job id") != std::string::npos)
    return std::vector<SlurmJob>{};
  if (out->exit_code != 0 || out->timed_out)
    return Status(Code::kUnavailable, FailureMessage(commands_.squeue, *out));
  return ParseSqueue(out->out);
}

Result<std::vector<SlurmJob>> SlurmCli::ShowJob(const std::string& id) {
  auto out = runner_({commands_.scontrol, "show", "job", "-o", id});
  if (!out.ok()) return out.status();
  if (out->exit_code != 0 && out->err.find("Invalid job id") != std::string::npos)
    return Status::NotFound("Slurm does not know job " + id);
  if (out->exit_code != 0 || out->timed_out)
    return Status(Code::kUnavailable, FailureMessage(commands_.scontrol, *out));
  return ParseScontrolShowJob(out->out);
}

Status SlurmCli::Cancel(const std::string& id, const std::string& signal,
                        bool batch_only) {
  std::vector<std::string> argv = {commands_.scancel};
  if (!signal.empty()) argv.push_back("--signal=" + signal);
  if (batch_only) argv.push_back("--batch");
  argv.push_back(id);
  auto out = Run(argv);
  return out.ok() ? Status::Ok() : out.status();
}

Status SlurmCli::Requeue(const std::string& id) {
  auto out = Run({commands_.scontrol, "requeue", id});
  return out.ok() ? Status::Ok() : out.status();
}

}  // namespace salvo
