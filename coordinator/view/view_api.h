#pragma once
// What `salvo view` answers, without the HTTP: each GET target maps to a reply built
// from the store, so the routes are tested on a memory store without sockets.
//
// Routes (GET or HEAD; a query string is ignored except by the page's own script):
//   /                        the page (assets.h); also /view.js, /view.css and
//                            /echarts.min.js
//   /api/runs                every run, newest first: {"runs": [RUN...]}
//   /api/runs/ID             {"run": RUN, "record": the stored record}
//   /api/runs/ID/scalars     {"id": ID, "tags": {TAG: {"steps": [...],
//                            "values": [...]}}}
//   /api/batches             every batch, newest first: {"batches": [BATCH...]}
//   /api/batches/ID          the batch, its search flags with their domains, its
//                            trials in trial order, and the best objective so far
//   /api/batches/ID/scalars  {"trials": [{"id", "short_id", "trial_index", "tags"}]}
// ID is anything `salvo runs` accepts for one run: an id prefix or a 1-based index.
// RUN is {"id", "short_id", "index", "kind", "operation", "batch_id", "trial_index",
// "status", "label", "started", "stopped" (Unix seconds or null), "time" (seconds or
// null), "flags", "scalars" (TAG: last value), "objective": {"name", "maximize",
// "value"}}. Numbers that are not finite are null. Errors are {"error": MESSAGE} with
// status 404 (no such run or route), 400 (an ambiguous id) or 500 (the store failed).
//
// Not thread-safe: one ViewApi per serving thread.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/core/run_record.h"
#include "common/core/status.h"
#include "common/store/run_store.h"
#include "coordinator/commands.h"

namespace salvo {

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
};

class ViewApi {
 public:
  struct Source {
    Home home;
    // The store, caught up with its writer; called once per request.
    std::function<Result<RunStore*>()> store;
    std::function<int64_t()> now_us;
    std::function<RunStatus(const RunRecord&)> status;  // the status to show
  };
  explicit ViewApi(Source source) : source_(std::move(source)) {}

  // The reply to GET `target` (a path with an optional query string).
  HttpReply Get(std::string_view target);

 private:
  Source source_;
};

}  // namespace salvo
