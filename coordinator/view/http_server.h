#pragma once
// A small HTTP/1.1 server (Boost.Beast) for `salvo view`: GET and HEAD only, keep-alive,
// every request answered on the one thread that calls ServeHttp, so the handler needs no
// locking. This header keeps Beast out of its includers.

#include <functional>
#include <string>
#include <string_view>

#include "common/core/status.h"
#include "coordinator/view/view_api.h"

namespace salvo {

struct HttpServerOptions {
  std::string host;  // an IPv4 or IPv6 address, or "localhost" (127.0.0.1)
  int port = 0;      // 0: a free port
  // Called once the socket listens, with the URL to open ("http://127.0.0.1:8080/").
  std::function<void(const std::string& url)> on_listening;
  // The reply to GET `target`.
  std::function<HttpReply(std::string_view target)> handler;
};

// Listens and serves until SIGINT or SIGTERM, then returns Ok. kInvalidArgument for a
// host that is not an address; kBusy ("port N on HOST is in use") or kIoError when the
// address cannot be bound.
Status ServeHttp(const HttpServerOptions& options);

}  // namespace salvo
