#pragma once
// `salvo view`: serves a web page of the store's runs, with plots, and the same data
// as JSON under /api/ (view_api.h lists the routes). main.cc fills ViewOptions.

#include <string>

namespace salvo {

struct ViewOptions {
  int port = 8080;                 // 0: any free port
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 address, or "localhost"
};

// Serves until SIGINT or SIGTERM (exit 0). A bad --port or --host, or an address that
// cannot be bound (a port in use), prints one `salvo: error: ...` line and returns 2.
int CmdView(const ViewOptions& opt);

}  // namespace salvo
