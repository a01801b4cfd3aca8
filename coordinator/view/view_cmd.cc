// `salvo view`: the store's runs as a web page, read through a RocksDB secondary that
// catches up with the writer on every API request, so the page follows a running batch.

#include "coordinator/view/view_cmd.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "common/core/clock.h"
#include "coordinator/store_access.h"
#include "coordinator/view/http_server.h"
#include "coordinator/view/view_api.h"

namespace salvo {
namespace {

// The read-only store, reopened when it appears after `view` started or when catching
// up fails (the writer replaced its files).
class LiveStore {
 public:
  explicit LiveStore(Home home) : home_(std::move(home)) {}

  Result<RunStore*> Get() {
    bool exists = std::filesystem::exists(home_.store_dir() + "/CURRENT");
    if (store_ && exists == opened_real_) {
      Status caught_up = store_->Refresh();
      if (caught_up.ok()) return store_.get();
      spdlog::warn("view: reopening the store after: {}", caught_up.message());
    }
    auto store = OpenStoreForRead(home_);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    opened_real_ = exists;
    return store_.get();
  }

 private:
  Home home_;
  std::unique_ptr<RunStore> store_;
  bool opened_real_ = false;  // store_ is the RocksDB store, not the empty stand-in
};

}  // namespace

int CmdView(const ViewOptions& opt) {
  if (opt.port < 0 || opt.port > 65535)
    return UsageError("invalid --port " + std::to_string(opt.port) +
                      ": must be between 0 and 65535");
  if (opt.host.empty()) return UsageError("invalid --host '': not an IP address");

  Home home = ResolveHome();
  LiveStore store(home);
  ViewApi api({home, [&store] { return store.Get(); },
               [] { return SystemClock().NowMicros(); }, EffectiveStatus});

  HttpServerOptions server;
  server.host = opt.host;
  server.port = opt.port;
  server.handler = [&api](std::string_view target) { return api.Get(target); };
  server.on_listening = [&home](const std::string& url) {
    spdlog::info("view: serving {} at {} (Ctrl-C stops)", home.dir, url);
  };
  Status served = ServeHttp(server);
  if (!served.ok()) return UsageError(served.message());
  return 0;
}

}  // namespace salvo
