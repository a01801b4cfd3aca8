// The "slurm" entry of the executor registry. Kept apart from the executor so that
// programs using MakeSlurmExecutor directly do not need the registry.

#include "slurm/slurm_executor.h"

namespace salvo {

void RegisterSlurmExecutor() {
  RegisterExecutor("slurm",
                   [](const std::map<std::string, std::vector<std::string>>& options)
                       -> Result<std::unique_ptr<Executor>> {
                     auto parsed = SlurmOptionsFromMap(options);
                     if (!parsed.ok()) return parsed.status();
                     return MakeSlurmExecutor(std::move(parsed).value());
                   });
}

}  // namespace salvo
