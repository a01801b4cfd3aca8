// Fuzzes the parsers of what Slurm's tools print (squeue, scontrol show job -o, sbatch
// --parsable, compact array ids): any text either fails to parse or gives jobs with an
// id, a state and every compact task list expanded.

#include "slurm/slurm_cli.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

void CheckJobs(const salvo::Result<std::vector<salvo::SlurmJob>>& jobs,
               std::string_view text) {
  using salvo::fuzz::Check;
  if (!jobs.ok()) return;
  Check(jobs->size() <= salvo::kMaxListedJobs, "no more jobs than the cap", text, "");
  for (const salvo::SlurmJob& j : *jobs) {
    Check(!j.id.empty() && !j.state.empty(), "every job has an id and a state", text,
          j.id);
    Check(j.id.find('[') == std::string::npos, "compact task lists are expanded", text,
          j.id);
    Check(j.exit_code >= 0 && j.exit_signal >= 0, "exit code and signal are not negative",
          text, j.id);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  std::string_view text = fuzz::AsText(data, size);
  CheckJobs(ParseSqueue(text), text);
  CheckJobs(ParseScontrolShowJob(text), text);

  for (std::string_view line : fuzz::Lines(text)) {
    (void)ParseScontrolFields(line);
    auto ids = ExpandArrayJobId(line, 1000);
    if (ids.ok()) {
      fuzz::Check(!ids->empty() && ids->size() <= 1000, "1 to 1000 ids", line, "");
    }
    auto tasks = ExpandArrayTasks(line, 1000);
    if (tasks.ok()) {
      for (int64_t t : *tasks)
        fuzz::Check(t >= 0, "task numbers are not negative", line, "");
    }
    (void)ParseExitCode(line);
  }
  auto id = ParseSbatchJobId(text);
  if (id.ok()) fuzz::Check(!id->empty(), "a job id is not empty", text, "");
  return 0;
}
