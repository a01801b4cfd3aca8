// `salvo cat RUN`: a run's output log, as its process wrote it.

#include <fstream>
#include <iostream>
#include <iterator>

#include "common/core/ids.h"
#include "coordinator/remote.h"
#include "coordinator/run_selection.h"
#include "coordinator/store_access.h"

namespace salvo {

int Cat(const ViewContext& ctx, const CatOptions& opt) {
  auto run = SelectOneRun(ctx, opt.run);
  if (!run.ok()) return ReportError(ctx.err, run.status());
  const RunRecord& r = run->record;
  if (Remote()) return RemoteCat(r.id);

  // The log lives in the run's folder under $SALVO_HOME; a run that ran elsewhere may
  // only have it in its recorded run dir.
  std::ifstream in(ctx.home.run_dir(r.id) + "/output", std::ios::binary);
  if (!in) in.open(RunDirOf(r, ctx.home) + "/output", std::ios::binary);
  if (!in) {
    return ReportError(ctx.err,
                       Status::Precondition("run " + ShortId(r.id) + " (" + r.operation +
                                            ") has no output log"));
  }
  std::copy(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(),
            std::ostreambuf_iterator<char>(ctx.out));
  ctx.out.flush();
  return 0;
}

int CmdCat(const CatOptions& opt) {
  Home home = ResolveHome();
  auto store = OpenStoreForRead(home);
  if (!store.ok()) return ReportError(std::cerr, store.status());
  return Cat(UserContext(**store, home), opt);
}

}  // namespace salvo
